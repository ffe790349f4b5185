package org.dl4jnode.benchmarks;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The load benchmark runs both servers for each client count, stops by itself, and prints its table. */
class ServingBenchmarkTest {

    @Test
    void printsOneRowPerServerAndClientCount() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new ServingBenchmark());
        cli.setOut(new PrintWriter(out, true));
        int code = cli.execute("--kind", "mlp", "--clients", "1,4", "--seconds", "1", "--warmup-seconds", "0.2");
        List<String> rows = out.toString().lines().toList();
        assertThat(code).as(String.join("\n", rows)).isZero();
        assertThat(rows.get(0)).contains("requests/s").contains("p99 ms");
        assertThat(rows).filteredOn(r -> r.startsWith("one image at a time")).hasSize(2);
        assertThat(rows).filteredOn(r -> r.startsWith("batched (32, 0.0 ms, 1 worker)")).hasSize(2);
        assertThat(rows).noneMatch(r -> r.contains("failed"));
    }
}
