package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
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

/**
 * The layer solves dh/dt = A h, with A = [[-0.1, -1], [1, -0.1]] set through its parameters (an
 * affine field h W0 + b0 with W0 = A^T, b0 = 0), whose solution is e^{-0.1 t} times a rotation by t.
 */
@ExtendWith(DoublePrecision.class)
class OdeLayerNumericsTest {

    private static final double T1 = 2.0;


    static MultiLayerNetwork linearOde(Solver solver, int steps) {
        return linear(new OdeLayer.Builder().field(VectorField.mlp().timeDependent(false))
                .solver(solver).steps(steps).timeSpan(0, T1).build());
    }

    /** A network of just {@code layer} (an affine autonomous field on 2 features) with W0 = A^T, b0 = 0. */
    static MultiLayerNetwork linear(OdeLayer layer) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .list()
                .layer(layer)
                .setInputType(InputType.feedForward(2))
                .build());
        net.init();
        net.getLayer(0).setParam("W0", Nd4j.createFromArray(new double[][] {{-0.1, -1}, {1, -0.1}}).transpose());
        net.getLayer(0).setParam("b0", Nd4j.zeros(DataType.DOUBLE, 1, 2));
        return net;
    }

    static INDArray exact(INDArray h0, double t) {
        double decay = Math.exp(-0.1 * t);
        INDArray expAt = Nd4j.createFromArray(new double[][] {{Math.cos(t), -Math.sin(t)}, {Math.sin(t), Math.cos(t)}});
        return h0.mmul(expAt.transpose()).muli(decay);
    }

    static double error(Solver solver, int steps) {
        INDArray h0 = Nd4j.createFromArray(new double[][] {{1, 1}, {-0.5, 2}});
        return linearOde(solver, steps).output(h0).distance2(exact(h0, T1));
    }

    @ParameterizedTest
    @EnumSource(Solver.class)
    void globalErrorShrinksAtTheSolversOrderAsStepsDouble(Solver solver) {
        // DOPRI8 reaches round-off past 8 steps; on this linear problem its stability polynomial, 0.13% off
        // exp's z^9 term (RungeKuttaConvergenceTest), makes it look up to one order higher
        int coarse = solver.order() >= 7 ? 2 : solver.order() >= 4 ? 8 : 32;
        double upper = solver == Solver.DOPRI8 ? solver.order() + 1.3 : solver.order() + 0.3;
        double e1 = error(solver, coarse);
        double e2 = error(solver, 2 * coarse);
        double e4 = error(solver, 4 * coarse);
        double order1 = Math.log(e1 / e2) / Math.log(2);
        double order2 = Math.log(e2 / e4) / Math.log(2);
        System.out.printf("%-8s steps %3d/%3d/%3d  error %.3e %.3e %.3e  observed order %.2f %.2f%n", solver,
                coarse, 2 * coarse, 4 * coarse, e1, e2, e4, order1, order2);
        assertThat(order2).as("observed order of %s", solver).isBetween(solver.order() - 0.2, upper);
        assertThat(e4).isLessThan(e2).isLessThan(e1);
    }

    @Test
    void rk4With32StepsIsAccurateToOneInAMillion() {
        assertThat(error(Solver.RK4, 32)).isLessThan(1e-6);
    }

    @Test
    void forwardPassCountsFieldEvaluations() {
        MultiLayerNetwork net = linearOde(Solver.RK4, 5);
        net.output(Nd4j.ones(DataType.DOUBLE, 3, 2));
        assertThat(((org.dl4jnode.layers.OdeLayer) net.getLayer(0)).lastForwardEvaluations()).isEqualTo(20);
    }

    @Test
    void firstSameAsLastMethodsReuseTheLastSlope() {
        MultiLayerNetwork net = linearOde(Solver.DOPRI5, 3);
        net.output(Nd4j.ones(DataType.DOUBLE, 3, 2));
        // 7 stages, the first of every step after the first is the previous step's last
        assertThat(((org.dl4jnode.layers.OdeLayer) net.getLayer(0)).lastForwardEvaluations()).isEqualTo(3 * 6 + 1);
    }
}
