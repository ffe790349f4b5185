package org.dl4jnode.samediff.field;

/** The sizes a layered field passes through: its input, each hidden layer's, its output. */
final class LayerSizes {

    private LayerSizes() {
    }

    /** {@code [input, hidden_1, ..., hidden_k, output]}: layer i maps size i to size i + 1. */
    static long[] of(long input, int[] hidden, long output) {
        long[] sizes = new long[hidden.length + 2];
        sizes[0] = input;
        for (int i = 0; i < hidden.length; i++) {
            sizes[i + 1] = hidden[i];
        }
        sizes[sizes.length - 1] = output;
        return sizes;
    }
}
