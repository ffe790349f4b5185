package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ODE layers with adaptive steps: accuracy by tolerance, exact gradients of the accepted steps, failures with context. */
@ExtendWith(DoublePrecision.class)
class AdaptiveOdeLayerTest {

    private static final Solver[] PAIRS = {Solver.DOPRI5, Solver.BOSH3, Solver.TSIT5, Solver.DOPRI8};


    /** The layer on dh/dt = A h (A = [[-0.1, -1], [1, -0.1]] set through its params), adaptive. */
    private static MultiLayerNetwork linearOde(Solver solver, double tol) {
        return OdeLayerNumericsTest.linear(new OdeLayer.Builder().name("adaptive")
                .field(VectorField.mlp().timeDependent(false)).solver(solver).tolerances(tol, tol).timeSpan(0, 2.0)
                .build());
    }

    @ParameterizedTest
    @EnumSource(value = Solver.class, names = {"DOPRI5", "BOSH3", "TSIT5", "DOPRI8"})
    void accuracyFollowsTheToleranceAndNfeGrowsAsItShrinks(Solver solver) {
        INDArray h0 = Nd4j.createFromArray(new double[][] {{1, 1}, {-0.5, 2}});
        INDArray expected = OdeLayerNumericsTest.exact(h0, 2.0);
        long previous = 0;
        long first = 0;
        for (double tol = 1e-3; tol >= 0.99e-8; tol /= 10) {
            MultiLayerNetwork net = linearOde(solver, tol);
            double error = net.output(h0).distance2(expected) / expected.norm2Number().doubleValue();
            long nfe = ((org.dl4jnode.layers.OdeLayer) net.getLayer(0)).lastForwardEvaluations();
            System.out.printf("%-6s tol %.0e  relative error %.2e  NFE %d%n", solver, tol, error, nfe);
            assertThat(error).as("%s at tol %s", solver, tol).isLessThan(20 * tol);
            // a high-order pair may cover the loosest tolerances in the same fewest steps
            assertThat(nfe).isGreaterThanOrEqualTo(previous);
            first = first == 0 ? nfe : first;
            previous = nfe;
        }
        assertThat(previous).as("NFE at the tightest tolerance").isGreaterThan(first);
    }

    private static OdeLayer adaptive(Solver solver) {
        return new OdeLayer.Builder().name("ode").field(VectorField.mlp(4)).solver(solver)
                .tolerances(1e-7, 1e-7).timeSpan(0.0, 1.0).build();
    }

    @Test
    void backpropThroughAcceptedStepsPassesTheGradientCheck() {
        for (Solver solver : PAIRS) {
            MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(adaptive(solver), DataType.DOUBLE, 12345);
            assertThat(OdeNetworks.gradientsAreExact(net, 1)).as("gradient check of adaptive %s", solver).isTrue();
        }
    }

    /**
     * The numerical gradient also sees the step sizes move with the parameters (an O(tol) effect
     * that backprop through the accepted steps leaves out), hence the tight tolerance.
     */
    @Test
    void galerkinLayerWithAdaptiveStepsPassesTheGradientCheck() {
        GalerkinOdeLayer layer = new GalerkinOdeLayer.Builder().name("gal").field(VectorField.mlp(3))
                .basis(Basis.fourier(1)).higherModeScale(0.5).solver(Solver.DOPRI5).tolerances(1e-8, 1e-8)
                .timeSpan(0.0, 1.0).build();
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(layer, DataType.DOUBLE, 4321);
        assertThat(OdeNetworks.gradientsAreExact(net, 2)).isTrue();
    }

    @Test
    void anExhaustedStepBudgetNamesTheLayerTimeStepAndNfe() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new OdeLayer.Builder().name("tight").field(VectorField.mlp(8)).solver(Solver.DOPRI5)
                        .tolerances(1e-10, 1e-10).maxSteps(2).timeSpan(0, 5).build())
                .setInputType(InputType.feedForward(3)).build());
        net.init();
        assertThatThrownBy(() -> net.output(Nd4j.rand(DataType.FLOAT, 4, 3).muli(3)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("OdeLayer 'tight'").hasMessageContaining("maxSteps = 2")
                .hasMessageContaining("at t = ").hasMessageContaining("step size").hasMessageContaining("NFE so far");
    }

    @ParameterizedTest
    @EnumSource(value = Solver.class, names = {"RK4", "DOPRI5"})
    void aNaNInTheInputIsBlamedOnTheInputNotOnTheField(Solver solver) {
        OdeLayer.Builder layer = new OdeLayer.Builder().name("fed").field(VectorField.mlp(8)).solver(solver);
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer((solver == Solver.DOPRI5 ? layer.tolerances(1e-6, 1e-6) : layer.steps(4)).build())
                .setInputType(InputType.feedForward(3)).build());
        net.init();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 3);
        x.putScalar(2, 1, Double.NaN);
        assertThatThrownBy(() -> net.output(x)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OdeLayer 'fed'").hasMessageContaining("input holds 1 NaN or infinite")
                .hasMessageContaining("example 2 of 4").hasMessageNotContaining("steep");
    }
}
