package org.dl4jnode.conf;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.dl4jnode.samediff.regularizer.FlowRegularizer;
import org.dl4jnode.samediff.regularizer.JacobianFrobenius;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the layers accept and reject as flow regularisers, and how they are written to JSON. */
class FlowRegularizerConfigurationTest {

    private static OdeLayer.Builder valid() {
        return new OdeLayer.Builder().name("ode").field(VectorField.mlp(8));
    }

    @Test
    void noneByDefault() {
        OdeLayer layer = valid().build();
        assertThat(layer.getRegularizers()).isEmpty();
        assertThat(layer.integralRegularizers()).isEmpty();
        assertThat(layer.endpointRegularizers()).isEmpty();
    }

    @Test
    void integralsAndEndpointsAreSortedOutInConfigurationOrder() {
        OdeLayer layer = valid().regularizers(FlowRegularizer.jacobianFrobenius(0.2),
                FlowRegularizer.finalStateStability(0.1), FlowRegularizer.kineticEnergy(0.3)).build();
        assertThat(layer.integralRegularizers()).extracting(FlowRegularizer::name)
                .containsExactly("jacobianFrobenius", "kineticEnergy");
        assertThat(layer.endpointRegularizers()).extracting(FlowRegularizer::name)
                .containsExactly("finalStateStability");
        layer.setNIn(3);
        assertThat(layer.trainingSystem().solveStateSize()).isEqualTo(5);
        assertThat(layer.trainingSystem().probeSize()).isEqualTo(3);
        assertThat(layer.odeSystem().solveStateSize()).isEqualTo(3);
        assertThat(layer.toString()).contains("regularizers=[jacobianFrobenius(0.2), finalStateStability(0.1)");
    }

    @Test
    void rejectsANegativeOrNonFiniteWeightNamingTheRegularizer() {
        assertThatThrownBy(() -> FlowRegularizer.kineticEnergy(-0.1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kineticEnergy").hasMessageContaining("-0.1");
        assertThatThrownBy(() -> FlowRegularizer.finalStateStability(Double.NaN))
                .hasMessageContaining("finalStateStability").hasMessageContaining("NaN");
        assertThatThrownBy(() -> FlowRegularizer.jacobianFrobenius(Double.POSITIVE_INFINITY))
                .hasMessageContaining("jacobianFrobenius");
    }

    @Test
    void rejectsTheSameRegularizerTwiceAndNulls() {
        assertThatThrownBy(() -> valid().regularizers(FlowRegularizer.kineticEnergy(0.1),
                FlowRegularizer.kineticEnergy(0.2)).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OdeLayer 'ode'").hasMessageContaining("kineticEnergy is given twice");
        assertThatThrownBy(() -> valid().regularizers(FlowRegularizer.kineticEnergy(0.1), null).build())
                .hasMessageContaining("OdeLayer 'ode'").hasMessageContaining("must not be null");
    }

    @Test
    void rejectsTheJacobianRegularizerOnAFieldWithoutAJacobianProduct() {
        assertThatThrownBy(() -> valid().field(VectorField.mlp(8).activation(Activation.ELU))
                .regularizers(FlowRegularizer.jacobianFrobenius(0.1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OdeLayer 'ode'")
                .hasMessageContaining("jacobianFrobenius(0.1)").hasMessageContaining("ELU");
        assertThatThrownBy(() -> new GalerkinOdeLayer.Builder().name("g").basis(Basis.fourier(1))
                .field(VectorField.conv(4, 3).activation(Activation.SWISH))
                .regularizers(FlowRegularizer.jacobianFrobenius(0.1)).build())
                .hasMessageContaining("GalerkinOdeLayer 'g'").hasMessageContaining("SWISH");
        // the other regularisers need only f itself
        assertThat(valid().field(VectorField.mlp(8).activation(Activation.ELU))
                .regularizers(FlowRegularizer.kineticEnergy(0.1), FlowRegularizer.finalStateStability(0.1)).build()
                .getRegularizers()).hasSize(2);
    }

    @Test
    void jsonNamesEachRegularizerAndReadsItBack() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new AugmentedOdeLayer.Builder().name("anode").augmentation(Augmentation.zeros(2))
                        .field(VectorField.mlp(4)).regularizers(FlowRegularizer.finalStateStability(0.01),
                                FlowRegularizer.kineticEnergy(0.02), FlowRegularizer.jacobianFrobenius(0.03).seed(9))
                        .build())
                .setInputType(InputType.feedForward(3)).build();
        String json = conf.toJson();
        assertThat(json).contains("\"@class\" : \"finalStateStability\"").contains("\"@class\" : \"kineticEnergy\"")
                .contains("\"@class\" : \"jacobianFrobenius\"").contains("\"weight\" : 0.02")
                .as("the name is the class's, not a property").doesNotContain("\"name\" : \"kineticEnergy\"");
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertThat(back).isEqualTo(conf);
        AugmentedOdeLayer layer = (AugmentedOdeLayer) back.getConf(0).getLayer();
        assertThat(((JacobianFrobenius) layer.getRegularizers().get(2)).seed()).isEqualTo(9);
    }

    @Test
    void aConfigurationWrittenBeforeRegularizersReadsAsNone() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list().layer(valid().build())
                .setInputType(InputType.feedForward(3)).build();
        String old = conf.toJson().replaceAll(",\\s*\"regularizers\"\\s*:\\s*\\[\\s*\\]", "");
        assertThat(old).doesNotContain("regularizers");
        OdeLayer layer = (OdeLayer) MultiLayerConfiguration.fromJson(old).getConf(0).getLayer();
        assertThat(layer.getRegularizers()).isEmpty();
    }
}
