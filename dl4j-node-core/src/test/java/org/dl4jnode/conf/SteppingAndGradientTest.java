package org.dl4jnode.conf;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jnode.samediff.solve.StepSizeController;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The stepping and gradient options are values that the JSON carries, and the flat options with NaN
 * markers that release 0.1.0 wrote read into the same values.
 */
class SteppingAndGradientTest {

    private static BaseOdeLayer layerOf(MultiLayerConfiguration conf) {
        return (BaseOdeLayer) conf.getConf(0).getLayer();
    }

    private static MultiLayerConfiguration network(BaseOdeLayer ode) {
        return new NeuralNetConfiguration.Builder().list().layer(ode).setInputType(InputType.feedForward(2)).build();
    }

    @Test
    void theJsonCarriesTheValuesAndNoMarkers() {
        String json = network(new OdeLayer.Builder().field(VectorField.mlp(3)).solver(Solver.DOPRI5)
                .tolerances(1e-4, 1e-6).gradient(GradientMode.ADJOINT).build()).toJson();
        assertThat(json).contains("\"type\" : \"adaptive\"").contains("\"type\" : \"adjoint\"")
                .doesNotContain("NaN").doesNotContain("\"gradientMode\"").doesNotContain("\"adjointRtol\"");
        BaseOdeLayer back = layerOf(MultiLayerConfiguration.fromJson(json));
        assertThat(back.getStepping()).isEqualTo(Stepping.adaptive(1e-4, 1e-6, 4096, 0));
        assertThat(back.getGradientComputation()).isEqualTo(GradientComputation.adjoint());
        assertThat(back.adjointTolerances()).as("the forward ones").isEqualTo(back.tolerances());
    }

    @Test
    void releaseZeroOnesFlatOptionsReadIntoTheValues() throws IOException, URISyntaxException {
        assertThat(golden("01-adaptive-mln.zip").getStepping()).isEqualTo(Stepping.adaptive(1e-4, 1e-6, 500, 1e-8));
        assertThat(golden("01-adaptive-mln.zip").getGradientComputation()).isEqualTo(GradientComputation.backprop());
        assertThat(golden("02-adjoint-mln.zip").getGradientComputation())
                .isEqualTo(GradientComputation.adjoint(1e-5, 1e-7));
        assertThat(golden("00-ode-mln.zip").getStepping()).as("rtol = NaN: a fixed grid").isEqualTo(Stepping.fixed(3));
    }

    private static BaseOdeLayer golden(String name) throws IOException, URISyntaxException {
        File file = new File(Objects.requireNonNull(SteppingAndGradientTest.class.getResource("/golden/" + name)).toURI());
        return (BaseOdeLayer) ModelSerializer.restoreMultiLayerNetwork(file, false).getLayerWiseConfigurations()
                .getConf(1).getLayer();
    }

    @Test
    void aPidControllerAndARetryPolicyRideInTheJson() {
        OdeLayer ode = new OdeLayer.Builder().field(VectorField.mlp(3)).solver(Solver.TSIT5).tolerances(1e-4, 1e-6)
                .stepSizeController(StepSizeController.pid(0.4, 0.3, 0.1))
                .onSolveFailure(SolveFailurePolicy.retryOnFixedGrid(16)).build();
        String json = network(ode).toJson();
        assertThat(json).contains("\"pcoeff\" : 0.4").contains("\"type\" : \"retryOnFixedGrid\"");
        BaseOdeLayer back = layerOf(MultiLayerConfiguration.fromJson(json));
        assertThat(back).isEqualTo(layerOf(network(ode)));
        assertThat(((Stepping.Adaptive) back.getStepping()).controller()).isEqualTo(StepSizeController.pid(0.4, 0.3, 0.1));
        assertThat(back.getSolveFailurePolicy()).isEqualTo(SolveFailurePolicy.retryOnFixedGrid(16));
        assertThat(back.toString()).contains("PID controller (p = 0.4").contains("onSolveFailure=retryOnFixedGrid(16)");
    }

    @Test
    void aSkipPolicyRidesInTheJsonAndServesFixedGridsToo() {
        // a fixed grid cannot run out of steps, but its state can stop being finite: skipping applies
        OdeLayer ode = new OdeLayer.Builder().field(VectorField.mlp(3)).solver(Solver.RK4).steps(4)
                .onSolveFailure(SolveFailurePolicy.skipMinibatch()).build();
        String json = network(ode).toJson();
        assertThat(json).contains("\"type\" : \"skipMinibatch\"");
        BaseOdeLayer back = layerOf(MultiLayerConfiguration.fromJson(json));
        assertThat(back.getSolveFailurePolicy()).isEqualTo(SolveFailurePolicy.skipMinibatch());
        assertThat(back).isEqualTo(layerOf(network(ode)));
        assertThat(back.toString()).contains("onSolveFailure=skipMinibatch");
    }

    @Test
    void filesWithoutTheNewOptionsReadAsTheIntegralControllerAndFail() throws IOException, URISyntaxException {
        BaseOdeLayer old = golden("01-adaptive-mln.zip");
        assertThat(((Stepping.Adaptive) old.getStepping()).controller()).isEqualTo(StepSizeController.integral());
        assertThat(old.getSolveFailurePolicy()).isEqualTo(SolveFailurePolicy.fail());
    }

    @Test
    void theSeminormRidesInTheAdjointsJsonAndNeedsAnAdaptiveAdjoint() {
        OdeLayer ode = new OdeLayer.Builder().field(VectorField.mlp(3)).solver(Solver.DOPRI5).tolerances(1e-4, 1e-6)
                .gradient(GradientMode.ADJOINT).adjointSeminorm(true).build();
        String json = network(ode).toJson();
        assertThat(json).contains("\"seminorm\" : true");
        assertThat(layerOf(MultiLayerConfiguration.fromJson(json)).getGradientComputation())
                .isEqualTo(GradientComputation.adjoint().withSeminorm(true));
        assertThat(network(new OdeLayer.Builder().field(VectorField.mlp(3)).solver(Solver.DOPRI5)
                .tolerances(1e-4, 1e-6).gradient(GradientMode.ADJOINT).build()).toJson()).doesNotContain("seminorm");
        assertThatThrownBy(() -> new OdeLayer.Builder().name("s").field(VectorField.mlp(3)).steps(4)
                .gradient(GradientMode.ADJOINT).adjointSeminorm(true).build())
                .hasMessageContaining("OdeLayer 's': adjointSeminorm(true)");
    }

    @Test
    void theAdaptiveOnlyOptionsNeedTolerances() {
        assertThatThrownBy(() -> new OdeLayer.Builder().name("f").field(VectorField.mlp(3)).steps(4)
                .stepSizeController(StepSizeController.pid(0.4, 0.3, 0)).build())
                .hasMessageContaining("OdeLayer 'f': stepSizeController(PID controller").hasMessageContaining("TSIT5");
        assertThatThrownBy(() -> new OdeLayer.Builder().name("f").field(VectorField.mlp(3))
                .onSolveFailure(SolveFailurePolicy.retryOnFixedGrid(8)).build())
                .hasMessageContaining("OdeLayer 'f': onSolveFailure(retryOnFixedGrid(8)) applies to adaptive solves");
        assertThatThrownBy(() -> SolveFailurePolicy.retryOnFixedGrid(0)).hasMessageContaining("steps >= 1, got 0");
    }

    @Test
    void badValuesAreRefused() {
        assertThatThrownBy(() -> Stepping.fixed(0)).hasMessageContaining("steps must be >= 1, got 0");
        assertThatThrownBy(() -> Stepping.adaptive(0, 1e-6, 10, 0)).hasMessageContaining("rtol");
        assertThatThrownBy(() -> Stepping.adaptive(1e-6, 1e-6, 0, 0)).hasMessageContaining("maxSteps must be >= 1");
        assertThatThrownBy(() -> Stepping.adaptive(1e-6, 1e-6, 10, -1)).hasMessageContaining("minStep");
        assertThatThrownBy(() -> GradientComputation.adjoint(-1, 1e-6)).hasMessageContaining("rtol");
    }
}
