package org.dl4jnode.layers;

import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.solve.AdaptiveGrid;
import org.dl4jnode.samediff.solve.FixedGrid;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.dl4jnode.samediff.solve.Tolerances;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The grids a layer's solves run on, from its configuration's values. */
class SolveGridsTest {

    private static OdeLayer.Builder layer() {
        return new OdeLayer.Builder().field(VectorField.mlp(2));
    }

    @Test
    void theAdjointRunsBackOnTheForwardStepsOrWithItsOwnTolerances() {
        OdeLayer fixed = layer().gradient(GradientMode.ADJOINT).steps(6).build();
        TimeGrid back = SolveGrids.adjoint(fixed, SolveGrids.whole(fixed));
        assertThat(back).isInstanceOf(FixedGrid.class);
        assertThat(back.t0()).isEqualTo(fixed.getTimeEnd());
        assertThat(((FixedGrid) back).steps()).isEqualTo(6);
        OdeLayer adaptive = layer().solver(Solver.DOPRI5).tolerances(1e-5, 1e-6).gradient(GradientMode.ADJOINT).build();
        assertThat(((AdaptiveGrid) SolveGrids.adjoint(adaptive, SolveGrids.whole(adaptive))).tolerances())
                .isEqualTo(new Tolerances(1e-5, 1e-6));
        OdeLayer own = layer().solver(Solver.DOPRI5).tolerances(1e-5, 1e-6).gradient(GradientMode.ADJOINT)
                .adjointTolerances(1e-8, 1e-9).build();
        assertThat(((AdaptiveGrid) SolveGrids.adjoint(own, SolveGrids.whole(own))).tolerances())
                .isEqualTo(new Tolerances(1e-8, 1e-9));
    }

    @Test
    void outputTimesSplitTheSpanAndAFixedGridKeepsItsSteps() {
        List<TimeGrid> segments = SolveGrids.forward(layer().steps(4).build(), new double[] {0.0, 0.5, 1.0});
        assertThat(segments).hasSize(3);
        assertThat(segments.get(0)).as("an output at t0 is the initial state").isNull();
        assertThat(((FixedGrid) segments.get(1)).steps()).isEqualTo(2);
        assertThat(((FixedGrid) segments.get(2)).steps()).isEqualTo(2);
        assertThat(SolveGrids.forward(layer().build(), null)).hasSize(1);
    }
}
