package org.nd4j.nativeblas;

import org.nd4j.linalg.factory.Nd4j;

/**
 * The class DL4J 1.0.0-M2.1 asks whether libnd4j has oneDNN, restored under the name it asks for.
 *
 * <p>Why: DL4J's {@code BaseMKLDNNHelper.mklDnnEnabled()} decides whether its own layers
 * ({@code ConvolutionLayer}, {@code SubsamplingLayer}, batch normalisation, LSTM, LRN) use their oneDNN
 * helpers by calling {@code org.nd4j.nativeblas.Nd4jCpu$Environment.getInstance().isUseMKLDNN()}
 * reflectively. ND4J moved that class and dropped the method, so the lookup fails and every DL4J layer runs
 * its slow path (im2col convolutions, 30x slower than oneDNN's in a small MNIST stem) even on the oneDNN
 * build. This answers the question as libnd4j would: yes when the oneDNN build is loaded and helpers are
 * allowed ({@code Nd4j.getEnvironment().allowHelpers(false)} still turns them off).
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /** What {@code mklDnnEnabled()} reads. */
    public static final class Environment {

        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** True when the loaded libnd4j is its oneDNN build and platform helpers are allowed. */
        public boolean isUseMKLDNN() {
            return OneDnnBuild.loaded() && Nd4j.getEnvironment().helpersAllowed();
        }
    }
}
