package org.dl4jnode.benchmarks;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** A short run of the dense-output benchmark prints both modes, and interpolation takes fewer evaluations. */
class DenseOutputBenchmarkTest {

    @Test
    void interpolatedOutputsTakeFewerEvaluationsAtTheToleranceError() {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(new DenseOutputBenchmark()).execute("--iterations", "2", "--batch", "8",
                    "--times", "40")).isZero();
        } finally {
            System.setOut(original);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        for (String solver : new String[] {"DOPRI5", "TSIT5"}) {
            double stepped = nfe(printed, solver, "stepped");
            double interpolated = nfe(printed, solver, "interpolated");
            assertThat(interpolated).as(solver + ": " + printed).isLessThan(stepped / 2);
        }
        assertThat(printed).containsPattern("outputs=interpolated forward_nfe=[0-9.]+ examples_per_s=[0-9]+ "
                + "max_output_error=[0-9.]+e-0[4-9]");
    }

    private static double nfe(String printed, String solver, String outputs) {
        Matcher m = Pattern.compile("RESULT solver=" + solver + " times=40 tol=1e-05 outputs=" + outputs
                + " forward_nfe=([0-9.]+)").matcher(printed);
        assertThat(m.find()).as(printed).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
