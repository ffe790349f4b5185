package org.dl4jnode.layers;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

import static org.assertj.core.api.Assertions.assertThat;

/** The slow-build warning reads libnd4j's build information: only the CPU backend's plain build earns it. */
class PlainBuildNoticeTest {

    @Test
    void theCpuBackendsPlainBuildIsTheSlowOne() {
        assertThat(PlainBuildNotice.plainCpuBuild("CPU", "GCC: 7.5.0\nHAVE_FLATBUFFERS\nHAVE_OPENBLAS")).isTrue();
        assertThat(PlainBuildNotice.plainCpuBuild("CPU", "HAVE_FLATBUFFERS\nHAVE_ONEDNN\nHAVE_OPENBLAS")).isFalse();
        assertThat(PlainBuildNotice.plainCpuBuild("CUDA", "HAVE_CUDNN")).as("another backend").isFalse();
    }

    @Test
    void theBuildTheseTestsRunOnIsTheOneDnnBuild() {
        Nd4j.create(1); // ND4J loads its natives
        assertThat(PlainBuildNotice.plainCpuBuild("CPU", NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo()))
                .isFalse();
    }
}
