package org.dl4jnode.layers;

import org.nd4j.linalg.factory.Nd4j;

/** Whether DL4J's oneDNN helpers can run: on ND4J's CPU backend, with platform helpers allowed. */
final class OneDnn {

    private OneDnn() {
    }

    static boolean available() {
        String backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend");
        return "CPU".equalsIgnoreCase(backend) && Nd4j.getEnvironment().helpersAllowed();
    }
}
