package org.dl4jnode.layers;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One warning per JVM when a convolutional ODE layer starts on libnd4j's plain CPU build, whose
 * convolutions (the conv field's, and DL4J's own layers') are about 5x slower forward and 10x backward
 * than the oneDNN build's, with the one-line fix: the {@code dl4j-node-cpu} dependency. Silent on the
 * oneDNN build and on other backends.
 */
final class PlainBuildNotice {

    private static final Logger log = LoggerFactory.getLogger(PlainBuildNotice.class);
    private static final AtomicBoolean GIVEN = new AtomicBoolean();

    private PlainBuildNotice() {
    }

    /**
     * Logs the notice when the first convolutional ODE layer of this JVM is made on the plain CPU build;
     * the build is looked at once (it cannot change within a JVM), later layers cost nothing.
     */
    static void forConvolutionalLayer(String layer) {
        if (!GIVEN.compareAndSet(false, true) || !plainCpuBuild()) {
            return;
        }
        log.warn("{} runs its convolutions on ND4J's plain CPU build, 5-10x slower than its oneDNN build (and DL4J's "
                + "ConvolutionLayer without oneDNN, up to 30x). On linux-x86_64, use the dependency "
                + "org.dl4jnode:dl4j-node-cpu in place of nd4j-native(-platform): it selects the oneDNN build by "
                + "itself (README, Usage).", layer);
    }

    private static boolean plainCpuBuild() {
        String backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend");
        return plainCpuBuild(backend, "CPU".equalsIgnoreCase(backend)
                ? NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo() : "");
    }

    /** True for ND4J's CPU backend whose libnd4j build information names no oneDNN ({@code HAVE_ONEDNN}). */
    static boolean plainCpuBuild(String backend, String buildInfo) {
        return "CPU".equalsIgnoreCase(backend) && !buildInfo.toLowerCase(Locale.ROOT).contains("onednn");
    }
}
