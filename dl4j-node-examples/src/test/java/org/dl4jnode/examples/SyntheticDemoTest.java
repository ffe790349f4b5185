package org.dl4jnode.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

class SyntheticDemoTest {

    @Test
    void aShortRunSeparatesTheSpheresAndRestoresExactly(@TempDir File dir) throws IOException {
        File out = new File(dir, "demo.zip");
        SyntheticDemo.Result result = SyntheticDemo.run(8, 7, out, false);
        assertThat(out).exists();
        assertThat(result.maxRestoreDifference()).isEqualTo(0.0);
        // chance is 0.5; a linear model on the raw 2-D inputs cannot beat ~0.6 on nested spheres
        assertThat(result.accuracy()).isGreaterThan(0.9);
    }
}
