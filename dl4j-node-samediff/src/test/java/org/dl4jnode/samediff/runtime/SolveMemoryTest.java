package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.field.MlpField;
import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.solve.AdaptiveGrid;
import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.solve.FixedGrid;
import org.dl4jnode.samediff.solve.StepSizeController;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.dl4jnode.samediff.solve.Tolerances;
import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.dl4jnode.samediff.testing.NativeAllocations;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A solve leaves nothing for the garbage collector. ND4J frees an array's native buffer only when the
 * collector finds its Java object, a few hundred bytes against megabytes, so every array a solve makes must
 * come from, and go back to, its {@link ArrayPool}: once the pool holds what a training pass (forward solve
 * and backward pass) needs, a pass allocates no native buffer but a few op scalars, with either gradient
 * method, on a fixed or an adaptive grid (rejected steps included), however many steps it takes.
 */
@ExtendWith(DoublePrecision.class)
class SolveMemoryTest {

    private static final long[] STATE = {32, 8};
    private static final Tolerances TIGHT = new Tolerances(1e-5, 1e-5);

    enum Setting {
        BACKPROP_FIXED(ButcherTableau.RK4, false, false),
        BACKPROP_ADAPTIVE(ButcherTableau.DOPRI5, true, false),
        ADJOINT_FIXED(ButcherTableau.RK4, false, true),
        ADJOINT_ADAPTIVE(ButcherTableau.DOPRI5, true, true),
        CHECKPOINTED_FIXED(ButcherTableau.RK4, false, false, true),
        CHECKPOINTED_ADAPTIVE(ButcherTableau.DOPRI5, true, false, true);

        final ButcherTableau tableau;
        final boolean adaptive;
        final boolean adjoint;
        final boolean checkpointed;

        Setting(ButcherTableau tableau, boolean adaptive, boolean adjoint) {
            this(tableau, adaptive, adjoint, false);
        }

        Setting(ButcherTableau tableau, boolean adaptive, boolean adjoint, boolean checkpointed) {
            this.tableau = tableau;
            this.adaptive = adaptive;
            this.adjoint = adjoint;
            this.checkpointed = checkpointed;
        }

        /** Over [0, span]: 8 steps per unit of time on a fixed grid; DOPRI5 with rejected steps. */
        TimeGrid grid(double span) {
            // a bold controller (safety 1) makes the adaptive solve reject steps
            return adaptive ? new AdaptiveGrid(0, span, TIGHT, new StepSizeController(1.0, 0.2, 10.0), 10_000, 0)
                    : new FixedGrid(0, span, (int) Math.round(8 * span));
        }

        GradientMethod gradient() {
            // a budget of 3 steps' stage arrays a run: several checkpoints
            return adjoint ? GradientMethod.adjoint(TimeGrid::reversed)
                    : checkpointed ? GradientMethod.checkpointed(3L * 2 * tableau.stages() * STATE[0] * STATE[1] * 8)
                    : GradientMethod.backprop();
        }
    }

    private final FieldFunction f = field();
    private final INDArray h0 = Nd4j.randn(DataType.DOUBLE, STATE);
    private final INDArray bar = Nd4j.randn(DataType.DOUBLE, STATE);

    private static FieldFunction field() {
        Nd4j.getRandom().setSeed(11);
        FieldFunction f = new FieldFunction(MlpField.of(16), Parameterization.DIRECT, new long[] {STATE[1]},
                DataType.DOUBLE);
        Map<String, INDArray> params = new HashMap<>();
        for (ParamSpec p : f.trainable()) {
            params.put(p.key(), Nd4j.randn(DataType.DOUBLE, p.shape()).muli(1.2));
        }
        f.bind(params);
        return f;
    }

    /** One training pass as a layer runs it: the solve, its backward pass, everything given back. */
    private void pass(Setting setting, double span, ArrayPool pool) {
        try (Solution s = OdeSolve.solve(f, h0, List.of(setting.grid(span)), setting.tableau, setting.gradient(), pool,
                64L << 20)) {
            s.backward(List.of(bar));
        }
        pool.giveBackAll();
    }

    /**
     * The largest native buffer three passes allocate once the pool is warm; also checks that the pool itself
     * allocated nothing more.
     */
    private long largestWarmAllocation(Setting setting, double span, ArrayPool pool) {
        pass(setting, span, pool);
        pass(setting, span, pool);
        long pooled = pool.allocations();
        long largest;
        try (NativeAllocations allocations = NativeAllocations.count()) {
            for (int i = 0; i < 3; i++) {
                pass(setting, span, pool);
            }
            largest = allocations.largest();
        }
        assertThat(pool.allocations()).as(setting + ", span " + span + ": the warm pool allocates nothing more")
                .isEqualTo(pooled);
        return largest;
    }

    @ParameterizedTest
    @EnumSource(Setting.class)
    void aWarmTrainingPassAllocatesNoArrayWhateverItsLength(Setting setting) {
        ArrayPool pool = new ArrayPool(64L << 20);
        for (double span : new double[] {1, 3}) {
            // what may be left is the scalars of ND4J's scalar ops (an error norm's rtol and atol): one double each
            assertThat(largestWarmAllocation(setting, span, pool))
                    .as(setting + ", span " + span + ": the largest native buffer a warm pass allocates, bytes")
                    .isLessThanOrEqualTo(Double.BYTES);
        }
        assertThat(pool.outstanding()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Setting.class)
    void anInferenceSolveHoldsItsOutputOnlyWhateverItsLength(Setting setting) {
        ArrayPool pool = new ArrayPool(64L << 20);
        for (double span : new double[] {1, 3}) {
            int[] accepted = {0};
            try (Solution s = OdeSolve.solve(f, h0, List.of(setting.grid(span)), setting.tableau, null, pool, 64L << 20,
                    step -> accepted[0]++)) {
                assertThat(pool.outstanding()).as(setting + ", span " + span + ": the final state only").isEqualTo(1);
                assertThat(s.states().get(0).shape()).containsExactly(STATE);
                if (setting.adaptive) {
                    // DOPRI5 reuses its last slope: 2 evaluations to choose the first step, 6 per step tried
                    long tried = (s.evaluations() - 2) / 6;
                    assertThat(tried).as(setting + ", span " + span + ": rejected steps").isGreaterThan(accepted[0]);
                }
            }
            pool.giveBackAll();
        }
    }
}
