package org.dl4jnode.samediff.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The instances of a {@link CompiledGraph} planned for one set of placeholder shapes: those free for
 * reuse, and the arrays they share (the backward segment's values, and the invariant ones, computed
 * once per parameter version for all of them).
 */
final class InstancePool {

    private final List<GraphInstance> free = new ArrayList<>();
    private final Map<String, INDArray> shared = new HashMap<>();
    /** The parameter version the shared invariant values were computed for. */
    private long invariantVersion = -1;

    /** A free instance, or null when every instance planned is in use. */
    GraphInstance take() {
        return free.isEmpty() ? null : free.remove(free.size() - 1);
    }

    /** Makes an instance free for reuse; its values are invalid afterwards. */
    void give(GraphInstance instance) {
        free.add(instance);
    }

    /**
     * The array for output {@code name} of {@code shape}: a new one, or with {@code shared} the pool's, made
     * when the pool has none that fits.
     */
    INDArray output(String name, LongShapeDescriptor shape, boolean shared) {
        INDArray out = shared ? this.shared.get(name) : null;
        if (out == null || !fits(out, shape)) {
            out = Nd4j.create(shape, false);
            if (shared) {
                this.shared.put(name, out);
            }
        }
        return out;
    }

    /** Whether the shared invariant values were computed for parameter version {@code version}. */
    boolean invariantsCurrent(long version) {
        return invariantVersion == version;
    }

    /** The shared invariant values are now those of parameter version {@code version}. */
    void invariantsComputed(long version) {
        invariantVersion = version;
    }

    /**
     * True when {@code array} can hold an output of {@code shape}: same shape, type and order. (Not the
     * descriptors' equality: a created array's descriptor carries other flags than the shape function's, so
     * instances of one pool would each allocate their own "shared" arrays, and values computed once for
     * the pool, such as the parameter-only ops', would reach only one of them.)
     */
    private static boolean fits(INDArray array, LongShapeDescriptor shape) {
        return Arrays.equals(array.shape(), shape.getShape()) && array.dataType() == shape.dataType()
                && array.ordering() == shape.getOrder();
    }
}
