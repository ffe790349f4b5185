package org.dl4jnode.examples.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The load benchmark runs both servers for each client count, stops by itself, and prints its table. */
class ServingBenchmarkTest {

    @Test
    void printsOneRowPerServerAndClientCount() {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new ServingBenchmark()).execute("--kind", "mlp", "--clients", "1,4",
                    "--seconds", "1", "--warmup-seconds", "0.2");
        } finally {
            System.setOut(original);
        }
        List<String> rows = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(code).as(String.join("\n", rows)).isZero();
        assertThat(rows.get(0)).contains("requests/s").contains("p99 ms");
        assertThat(rows).filteredOn(r -> r.startsWith("one image at a time")).hasSize(2);
        assertThat(rows).filteredOn(r -> r.startsWith("batched (32, 0.0 ms, 1 worker)")).hasSize(2);
        assertThat(rows).noneMatch(r -> r.contains("failed"));
    }
}
