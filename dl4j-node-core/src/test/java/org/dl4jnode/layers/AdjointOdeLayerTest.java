package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link GradientMode#ADJOINT}: gradients of the exact flow by the backward adjoint solve. They pass
 * DL4J's gradient check where the solves are accurate, and converge to the exact gradients of the
 * discrete solve ({@link GradientMode#BACKPROP}) as steps shrink or tolerances tighten.
 */
@ExtendWith(DoublePrecision.class)
class AdjointOdeLayerTest {

    private static final long SEED = 2024;


    private static <B extends BaseOdeLayer.Builder<B>> B common(B builder, GradientMode mode) {
        return builder.name("ode").field(VectorField.mlp(4)).timeSpan(0.0, 2.0).gradient(mode);
    }

    private static OdeLayer plain(GradientMode mode, Function<OdeLayer.Builder, OdeLayer.Builder> stepping) {
        return stepping.apply(common(new OdeLayer.Builder(), mode)).build();
    }

    private static GalerkinOdeLayer galerkin(GradientMode mode,
                                             Function<GalerkinOdeLayer.Builder, GalerkinOdeLayer.Builder> stepping) {
        return stepping.apply(common(new GalerkinOdeLayer.Builder(), mode).basis(Basis.fourier(2))
                .higherModeScale(0.5)).build();
    }

    /** Second order with a learned initial velocity, data control and adaptive depth: every input path. */
    private static AugmentedOdeLayer augmented(GradientMode mode, double tol) {
        return common(new AugmentedOdeLayer.Builder(), mode).augmentation(Augmentation.secondOrder()
                .velocityFromInputLayer()).dataControlled(true).adaptiveDepth(3)
                .solver(Solver.DOPRI5).tolerances(tol, tol).build();
    }

    /** All of the network's gradients (dense, ODE and output layers) in one vector. */
    private static INDArray gradient(Layer ode, INDArray params) {
        return OdeNetworks.networkGradient(ode, params, SEED, 16);
    }

    private static double relativeError(Layer adjoint, Layer backprop) {
        INDArray exact = gradient(backprop, null);
        INDArray params = OdeNetworks.multiLayerNetwork(backprop, DataType.DOUBLE, SEED).params();
        INDArray adj = gradient(adjoint, params);
        return adj.distance2(exact) / exact.norm2Number().doubleValue();
    }

    @Test
    void fixedStepAdjointPassesTheGradientCheck() {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(plain(GradientMode.ADJOINT, b -> b.steps(40)),
                DataType.DOUBLE, SEED);
        assertThat(OdeNetworks.gradientsAreExact(net, 1)).isTrue();
    }

    /** Galerkin layers cost more per evaluation; DL4J's sampled check keeps this one affordable. */
    @Test
    void galerkinAdjointPassesTheGradientCheck() {
        GalerkinOdeLayer layer = new GalerkinOdeLayer.Builder().name("gal").field(VectorField.mlp(2))
                .basis(Basis.fourier(1)).higherModeScale(0.5).solver(Solver.DOPRI5).tolerances(1e-9, 1e-9)
                .gradient(GradientMode.ADJOINT).build();
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(layer, DataType.DOUBLE, SEED);
        assertThat(OdeNetworks.sampledGradientsAreExact(net, 2, 3)).isTrue();
    }

    @Test
    void adaptiveAdjointPassesTheGradientCheck() {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(plain(GradientMode.ADJOINT,
                b -> b.solver(Solver.DOPRI5).tolerances(1e-10, 1e-10)), DataType.DOUBLE, SEED);
        assertThat(OdeNetworks.sampledGradientsAreExact(net, 3, 4)).isTrue();
    }

    @Test
    void onAFixedGridTheAdjointConvergesToBackpropAtTheSolversOrder() {
        double coarse = relativeError(plain(GradientMode.ADJOINT, b -> b.steps(4)),
                plain(GradientMode.BACKPROP, b -> b.steps(4)));
        double fine = relativeError(plain(GradientMode.ADJOINT, b -> b.steps(8)),
                plain(GradientMode.BACKPROP, b -> b.steps(8)));
        System.out.printf("RK4 adjoint vs backprop: 4 steps %.2e, 8 steps %.2e%n", coarse, fine);
        assertThat(Math.log(coarse / fine) / Math.log(2)).as("observed order").isGreaterThan(3.5);
    }

    @ParameterizedTest
    @ValueSource(doubles = {1e-6, 1e-9})
    void adaptiveAdjointMatchesBackpropToTheTolerance(double tol) {
        double plainError = relativeError(
                plain(GradientMode.ADJOINT, b -> b.solver(Solver.DOPRI5).tolerances(tol, tol)),
                plain(GradientMode.BACKPROP, b -> b.solver(Solver.DOPRI5).tolerances(tol, tol)));
        double galerkinError = relativeError(
                galerkin(GradientMode.ADJOINT, b -> b.solver(Solver.DOPRI5).tolerances(tol, tol)),
                galerkin(GradientMode.BACKPROP, b -> b.solver(Solver.DOPRI5).tolerances(tol, tol)));
        double augmentedError = relativeError(augmented(GradientMode.ADJOINT, tol), augmented(GradientMode.BACKPROP, tol));
        System.out.printf("DOPRI5 tol %.0e adjoint vs backprop: OdeLayer %.2e, GalerkinOdeLayer %.2e, "
                + "AugmentedOdeLayer %.2e%n", tol, plainError, galerkinError, augmentedError);
        assertThat(plainError).isLessThan(100 * tol);
        assertThat(galerkinError).isLessThan(100 * tol);
        assertThat(augmentedError).isLessThan(100 * tol);
    }

    @ParameterizedTest
    @ValueSource(doubles = {1e-6, 1e-9})
    void theSeminormAdjointMatchesBackpropToTheToleranceInFewerBackwardSteps(double tol) {
        Function<OdeLayer.Builder, OdeLayer.Builder> adaptive = b -> b.solver(Solver.DOPRI5).tolerances(tol, tol);
        double error = relativeError(plain(GradientMode.ADJOINT, b -> adaptive.apply(b).adjointSeminorm(true)),
                plain(GradientMode.BACKPROP, adaptive));
        MultiLayerNetwork full = OdeNetworks.multiLayerNetwork(plain(GradientMode.ADJOINT, adaptive), DataType.DOUBLE,
                SEED);
        MultiLayerNetwork semi = OdeNetworks.multiLayerNetwork(plain(GradientMode.ADJOINT,
                b -> adaptive.apply(b).adjointSeminorm(true)), DataType.DOUBLE, SEED);
        gradient(full);
        gradient(semi);
        org.dl4jnode.layers.OdeLayer f = (org.dl4jnode.layers.OdeLayer) full.getLayer(1);
        org.dl4jnode.layers.OdeLayer s = (org.dl4jnode.layers.OdeLayer) semi.getLayer(1);
        System.out.printf("DOPRI5 tol %.0e adjoint backward pass: full norm NFE %d (%s); seminorm NFE %d (%s), "
                + "vs backprop %.2e%n", tol, f.lastBackwardEvaluations(), f.lastBackwardStatistics(),
                s.lastBackwardEvaluations(), s.lastBackwardStatistics(), error);
        assertThat(error).isLessThan(100 * tol);
        assertThat(s.lastBackwardEvaluations()).isLessThanOrEqualTo(f.lastBackwardEvaluations());
    }

    private static void gradient(MultiLayerNetwork net) {
        net.setInput(OdeNetworks.features(16, DataType.DOUBLE, 3));
        net.setLabels(OdeNetworks.labels(16, DataType.DOUBLE, 4));
        net.computeGradientAndScore();
    }

    @Test
    void aSeminormAdjointPassesTheGradientCheck() {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(plain(GradientMode.ADJOINT,
                b -> b.solver(Solver.DOPRI5).tolerances(1e-10, 1e-10).adjointSeminorm(true)), DataType.DOUBLE, SEED);
        assertThat(OdeNetworks.sampledGradientsAreExact(net, 3, 4)).isTrue();
    }

    @Test
    void theBackwardPassReportsItsEvaluations() {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(plain(GradientMode.ADJOINT, b -> b.steps(5)),
                DataType.DOUBLE, SEED);
        net.setInput(OdeNetworks.features(4, DataType.DOUBLE, 3));
        net.setLabels(OdeNetworks.labels(4, DataType.DOUBLE, 4));
        net.computeGradientAndScore();
        org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) net.getLayer(1);
        assertThat(layer.lastForwardEvaluations()).isEqualTo(20);
        assertThat(layer.lastBackwardEvaluations()).as("one fused f + VJP per backward stage").isEqualTo(20);
    }

    @Test
    void aFailingAdjointSolveNamesTheLayerAndThePass() {
        OdeLayer layer = plain(GradientMode.ADJOINT, b -> b.solver(Solver.DOPRI5).tolerances(1e-4, 1e-4)
                .adjointTolerances(1e-12, 1e-12).maxSteps(20));
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(layer, DataType.DOUBLE, SEED);
        net.setInput(OdeNetworks.features(4, DataType.DOUBLE, 3));
        net.setLabels(OdeNetworks.labels(4, DataType.DOUBLE, 4));
        assertThatThrownBy(net::computeGradientAndScore).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("OdeLayer 'ode'").hasMessageContaining("the adjoint solve")
                .hasMessageContaining("rtol = 1.0E-12").hasMessageContaining("maxSteps = 20")
                .hasMessageContaining("NFE so far");
    }
}
