package org.nd4j.nativeblas;

import org.nd4j.linalg.factory.Nd4j;

import java.util.Locale;

/** Whether the libnd4j that ND4J loaded is its oneDNN build: its build information names oneDNN. */
final class OneDnnBuild {

    private static volatile Boolean loaded;

    private OneDnnBuild() {
    }

    static boolean loaded() {
        if (loaded == null) {
            String backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend");
            loaded = "CPU".equalsIgnoreCase(backend)
                    && NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo().toLowerCase(Locale.ROOT)
                    .contains("onednn");
        }
        return loaded;
    }
}
