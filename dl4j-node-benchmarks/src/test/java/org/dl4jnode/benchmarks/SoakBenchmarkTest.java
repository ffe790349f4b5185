package org.dl4jnode.benchmarks;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The soak benchmark samples memory, measures the growth after the warm-up and judges it. */
class SoakBenchmarkTest {

    @Test
    void aShortRunSamplesAndJudgesTheGrowth() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new SoakBenchmark());
        cli.setOut(new PrintWriter(out, true));
        int code = cli.execute("--iterations", "60", "--warmup", "20", "--every", "20", "--bound-mib", "512");
        assertThat(code).as(out.toString()).isZero();
        // iteration, RSS, heap, committed heap, examples/s, NFE forward/backward of the ODE layer
        assertThat(out.toString().lines().filter(l -> l.matches("\\s+\\d+(\\s+[\\d.]+){3}\\s+\\d+\\s+\\d+/\\d+")))
                .hasSize(3);
        assertThat(out.toString()).contains("after the warm-up (iterations 20-60)").contains("passed");
    }

    @Test
    void theTrendIsALeastSquaresSlope() {
        List<SoakBenchmark.Sample> rising = List.of(new SoakBenchmark.Sample(0, 100, 1, 1),
                new SoakBenchmark.Sample(1000, 102, 1, 1), new SoakBenchmark.Sample(2000, 104, 1, 1));
        assertThat(SoakBenchmark.slope(rising)).isCloseTo(0.002, within(1e-12));
    }
}
