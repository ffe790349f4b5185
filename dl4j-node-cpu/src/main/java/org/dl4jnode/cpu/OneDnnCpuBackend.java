package org.dl4jnode.cpu;

import org.nd4j.linalg.cpu.nativecpu.CpuBackend;

/**
 * ND4J's CPU backend, made to load libnd4j's oneDNN build without a JVM flag.
 *
 * <p>Why: JavaCPP loads the natives of a classifier's variant ({@code linux-x86_64-onednn}) only when the
 * system property {@code org.bytedeco.javacpp.platform.extension} says {@code -onednn}, and nothing in
 * ND4J sets it, so a user who adds the oneDNN natives still runs the plain build (its convolutions are
 * about 5x slower forward and 10x backward). ND4J instantiates every {@code Nd4jBackend} its service
 * loader finds before it loads any native code; this one sets the property then, when the user has not
 * set it and the oneDNN natives are on the class path. It is otherwise ND4J's {@link CpuBackend}, with a
 * higher priority so that ND4J picks it.
 *
 * <p>It also lets DL4J's own layers use their oneDNN helpers: DL4J 1.0.0-M2.1 creates no layer helper unless
 * the system property {@code org.eclipse.deeplearning4j.helpers.disable} is {@code false} (its default is
 * {@code true}), so a stock {@code ConvolutionLayer} or {@code SubsamplingLayer} runs its im2col path, about
 * 30x slower than oneDNN in a small MNIST stem. The property is set to {@code false} when the user has not
 * set it; set it to {@code true} to keep DL4J's own paths. (DL4J also asks a class ND4J has moved whether
 * oneDNN is there: {@link org.nd4j.nativeblas.Nd4jCpu} answers.)
 */
public class OneDnnCpuBackend extends CpuBackend {

    /** The property JavaCPP reads for the natives' variant. */
    static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";
    /** The variant of libnd4j this module brings. */
    static final String ONEDNN = "-onednn";
    /** The property that keeps DL4J 1.0.0-M2.1 from creating its layers' helpers (default true). */
    static final String HELPERS_DISABLED_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";
    /** A file of that variant's natives: present only when its jar is on the class path. */
    private static final String ONEDNN_NATIVES = "/org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-onednn/";

    static {
        selectOneDnnBuild();
    }

    /**
     * Sets the platform extension to {@code -onednn}, and enables DL4J's layer helpers, unless the user set
     * either property or the oneDNN natives are missing.
     */
    static void selectOneDnnBuild() {
        if (OneDnnCpuBackend.class.getResource(ONEDNN_NATIVES) == null) {
            return;
        }
        if (System.getProperty(EXTENSION_PROPERTY) == null) {
            System.setProperty(EXTENSION_PROPERTY, ONEDNN);
        }
        if (System.getProperty(HELPERS_DISABLED_PROPERTY) == null) {
            System.setProperty(HELPERS_DISABLED_PROPERTY, "false");
        }
    }

    @Override
    public int getPriority() {
        return super.getPriority() + 1;
    }
}
