package org.dl4jnode.examples.experiments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The input-networks experiment at a small size: the three networks train, the ablation prints, the figure is drawn. */
class InputNetworksTest {

    @Test
    void trainsTheThreeNetworksAblatesTheOdeAndDrawsTheFigure(@TempDir Path dir) throws Exception {
        String out = ProgramOutput.of(new InputNetworks(), "--iterations", "3", "--points", "32", "--out",
                    dir.toString());
        assertThat(out).containsPattern("(?m)^input network \\+ ODE\\s+[0-9.]+%\\s+[0-9.]+%\\s+[0-9.]+%\\s+[0-9.]+\\s+\\d+$")
                .containsPattern("(?m)^input network alone\\s+[0-9.]+%\\s+-\\s+-\\s+-\\s+-$")
                .containsPattern("(?m)^ODE alone\\s+[0-9.]+%\\s+[0-9.]+%");
        assertThat(ImageIO.read(dir.resolve("input-networks.png").toFile()).getWidth()).as("four panels side by side")
                .isGreaterThan(1800);
    }

    @Test
    void theAblatedNetworkIsTheTrainedOneWithoutItsOdeLayer() {
        InputNetworks experiment = new InputNetworks();
        new CommandLine(experiment).parseArgs("--iterations", "2", "--points", "16");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        InputNetworks.Result r = experiment.train("with", true, true,
                org.dl4jnode.examples.NestedSpheres.spheres(16, 1), org.dl4jnode.examples.NestedSpheres.spheres(16, 2),
                quiet);
        var ablated = experiment.withoutOde(r.network(), r.odeIndex());
        var x = org.dl4jnode.examples.NestedSpheres.spheres(8, 3).getFeatures();
        // the ablated network's output is the softmax layer applied to the input network's output
        var h0 = r.network().feedForward(x, false).get(r.odeIndex());
        var softmax = r.network().getLayer(r.odeIndex() + 1);
        var expected = org.nd4j.linalg.ops.transforms.Transforms.softmax(
                h0.mmul(softmax.getParam("W")).addRowVector(softmax.getParam("b")));
        assertThat(ablated.output(x).sub(expected).amaxNumber().doubleValue()).isLessThan(1e-5);
        assertThat(r.displacement()).isGreaterThan(0);
        assertThat(r.probe()).isBetween(0.0, 1.0);
    }
}
