package org.dl4jnode.mnist;

import org.deeplearning4j.common.resources.DL4JResources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Fetching MNIST into an empty DL4J resources directory, and repairing a corrupt file. */
class MnistFilesTest {

    @TempDir
    Path resources;

    @AfterEach
    void restoreResourcesDirectory() {
        DL4JResources.resetBaseDirectoryLocation();
    }

    @Test
    void installsTheFourOriginalFilesWhereDl4jLooksAndReplacesACorruptOne() throws Exception {
        DL4JResources.setBaseDirectory(resources.toFile());
        assertThat(MnistFiles.missingOrCorrupt()).hasSize(4);

        assertThat(MnistFiles.ensureInstalled()).isEqualTo(resources);
        assertThat(MnistFiles.missingOrCorrupt()).isEmpty();
        assertThat(Files.size(resources.resolve("t10k-labels-idx1-ubyte"))).isEqualTo(10_008);

        Files.write(resources.resolve("t10k-labels-idx1-ubyte"), new byte[] {1, 2, 3});
        assertThat(MnistFiles.missingOrCorrupt()).containsExactly("t10k-labels-idx1-ubyte");
        MnistFiles.ensureInstalled();
        assertThat(MnistFiles.missingOrCorrupt()).isEmpty();
    }
}
