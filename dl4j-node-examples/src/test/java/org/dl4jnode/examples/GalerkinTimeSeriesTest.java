package org.dl4jnode.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Seed 000's sanity check at a small size: the 1-mode curve is the OdeLayer's, Fourier modes fit better. */
class GalerkinTimeSeriesTest {

    @Test
    void constantModeTracksTheOdeLayerAndFourierModesReachALowerLoss() {
        GalerkinTimeSeries.Result r = GalerkinTimeSeries.run(60, 5, 8, 8, 42, null);
        assertThat(r.ode().loss()).hasSize(60);
        assertThat(r.constantModeGap()).isLessThan(1e-4 * r.ode().loss()[0]);
        assertThat(r.ode().last()).isLessThan(r.ode().loss()[0]);
        assertThat(r.fourier().last()).isLessThan(0.8 * r.ode().last());
        assertThat(r.fourier().parameters()).isEqualTo(11 * r.ode().parameters());
    }

    @Test
    void theTrueFlowIsPeriodicInTheForcing() {
        // with no state the forcing alone integrates to zero over a period: u stays near the origin
        double[] u = GalerkinTimeSeries.onePeriod(new double[] {0, 0});
        assertThat(Math.abs(u[0]) + Math.abs(u[1])).isLessThan(0.5);
        assertThat(GalerkinTimeSeries.timeSeries(3, 4, 1).numExamples()).isEqualTo(12);
    }

    @Test
    void drawsTheLossCurvesAndTheWeightsOverDepth(@TempDir Path dir) throws Exception {
        int code = new CommandLine(new GalerkinTimeSeries()).execute("--iterations", "5", "--series", "2", "--length",
                "2", "--out", dir.toString());
        assertThat(code).isZero();
        assertThat(ImageIO.read(dir.resolve("galerkin-loss-curves.png").toFile())).isNotNull();
        assertThat(ImageIO.read(dir.resolve("galerkin-weights-over-depth.png").toFile())).isNotNull();
    }
}
