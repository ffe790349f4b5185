package org.dl4jnode.conf;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;

/** DL4J's memory estimate of an ODE layer: what each gradient computation keeps per example. */
final class OdeMemoryReport {

    private OdeMemoryReport() {
    }

    static LayerMemoryReport of(BaseOdeLayer layer, InputType inputType) {
        InputType out = OdeInputTypes.outputType(layer, inputType);
        long pixels = inputType instanceof InputType.InputTypeConvolutional image
                ? image.getHeight() * image.getWidth() : 1;
        long state = layer.augmentation().stateSize(OdeInputTypes.stateInputSize(layer, inputType)) * pixels;
        long numParams = layer.initializer().numParams(layer);
        long updaterState = layer.getIUpdater() == null ? 0 : layer.getIUpdater().stateSize(numParams);
        int stages = layer.getSolver().tableau().stages();
        // backprop keeps every stage state of every step for the backward pass (adaptive: at most maxSteps);
        // the adjoint's flat state [h, a, thetaBar] needs a few copies per stage, whatever the steps; the
        // checkpointed gradient holds one replayed run (its budget, not per example) and a state per checkpoint
        Stepping stepping = layer.getStepping();
        long steps = stepping instanceof Stepping.Adaptive a ? a.maxSteps() : ((Stepping.Fixed) stepping).steps();
        long perExample = switch (layer.getGradientMode()) {
            case ADJOINT -> (stages + 3L) * 2 * state;
            case CHECKPOINTED -> 2L * stages * state + state;
            case BACKPROP -> steps * stages * state;
        };
        return new LayerMemoryReport.Builder(layer.getLayerName(), layer.getClass(), inputType, out)
                .standardMemory(numParams, updaterState)
                .workingMemory(0, out.arrayElementsPerExample() * 2, 0, perExample)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }
}
