package org.dl4jnode.examples.experiments;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Seed 004's experiment: its models as the seed builds them, and at a small size they learn and the figures are written. */
class SpiralsTest {

    @Test
    void theDataAreTwoBalancedInterleavedSpirals() {
        DataSet d = Spirals.spirals(50, 1);
        assertThat(d.numExamples()).isEqualTo(100);
        assertThat(d.getLabels().sum(0).toDoubleVector()).containsExactly(50, 50);
        assertThat(d.getFeatures().amaxNumber().doubleValue()).isLessThan(1.2);
    }

    @Test
    void theModelsAreTheSeedsWithTheirParameterCounts() {
        List<SpiralModels.Candidate> all = SpiralModels.all(20, 3e-3, 1);
        // lift 2 -> 6, field [t; y] -> 128 -> 128 -> 6, head 6 -> 64 -> 2
        long lift = 2 * 6 + 6;
        long head = 6 * 64 + 64 + 64 * 2 + 2;
        long block = 6 * 128 + 128 + 128 * 128 + 128 + 128 * 6 + 6;
        assertThat(SpiralModels.byKey(all, "ode-rk4").build().get().numParams()).isEqualTo(lift + block + 128 + head);
        assertThat(SpiralModels.byKey(all, "resnet-shared").build().get().numParams()).isEqualTo(lift + block + head);
        assertThat(SpiralModels.byKey(all, "resnet").build().get().numParams()).isEqualTo(lift + 20 * block + head);
        assertThatThrownBy(() -> SpiralModels.byKey(all, "vgg")).hasMessageContaining("no model 'vgg'")
                .hasMessageContaining("ode-euler-adjoint");
    }

    @Test
    void theSharedWeightResNetIsTheEulerOdeWithoutTime() {
        MultiLayerNetwork shared = SpiralModels.sharedResNet(4, 1e-3, 2);
        INDArray x = Spirals.spirals(5, 3).getFeatures();
        // h_{k+1} = h_k + (1/4) f(h_k), one f: written out by hand from the layer's parameters
        Map<String, INDArray> p = shared.getLayer(1).paramTable();
        for (String key : p.keySet()) {
            p.get(key).assign(Nd4j.rand(p.get(key).dataType(), p.get(key).shape()).subi(0.5));
        }
        INDArray h = shared.feedForwardToLayer(0, x, false).get(1);
        for (int k = 0; k < 4; k++) {
            INDArray a = Transforms.tanh(h.mmul(p.get("W0")).addiRowVector(p.get("b0")));
            INDArray b = Transforms.tanh(a.mmul(p.get("W1")).addiRowVector(p.get("b1")));
            h = h.add(b.mmul(p.get("W2")).addiRowVector(p.get("b2")).muli(0.25));
        }
        INDArray blocks = shared.feedForwardToLayer(1, x, false).get(2);
        assertThat(blocks.sub(h).amaxNumber().doubleValue()).isLessThan(1e-5);
    }

    @Test
    void everyModelBeatsChanceAndTheFiguresAreWritten(@TempDir Path dir) throws Exception {
        DataSet train = Spirals.spirals(100, 4);
        DataSet test = Spirals.spirals(100, 5);
        List<SpiralModels.Candidate> small = SpiralModels.all(4, 1e-2, 4);
        Spirals.Result ode = Spirals.train(SpiralModels.byKey(small, "ode-euler"), train, test, 150, 0.01);
        Spirals.Result resNet = Spirals.train(SpiralModels.byKey(small, "resnet"), train, test, 150, 0.01);
        assertThat(ode.accuracy()).isGreaterThan(0.6);
        assertThat(resNet.accuracy()).isGreaterThan(0.6);
        assertThat(ode.iterations()).isBetween(1, 150);
        assertThat(ode.parameters()).isLessThan(resNet.parameters());
        Spirals.Result easy = Spirals.train(SpiralModels.byKey(small, "ode-small"), train, test, 150, 10.0);
        assertThat(easy.iterations()).as("a target above the first loss stops at once").isEqualTo(1);
        assertThat(easy.converged()).isTrue();

        int code = new CommandLine(new Spirals()).execute("--points", "20", "--iterations", "2", "--steps", "2",
                "--models", "ode-rk4,ode-rk4-adjoint,resnet-shared", "--memory", "--out", dir.toString());
        assertThat(code).isZero();
        assertThat(ImageIO.read(dir.resolve("spirals-decision-boundaries.png").toFile())).isNotNull();
        assertThat(ImageIO.read(dir.resolve("spirals-trajectories.png").toFile())).isNotNull();
    }
}
