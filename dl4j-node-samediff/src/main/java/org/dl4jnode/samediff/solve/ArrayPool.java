package org.dl4jnode.samediff.solve;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Arrays reused from one solve to the next, so that a Java-stepped solve allocates nothing in the
 * steady state and holds a bounded amount of native memory.
 *
 * <p>Why reuse: a fresh ND4J array is zero-filled natively even when asked for uninitialised, and on a
 * small machine the allocator hands back pages it has just returned to the system, so each
 * {@code [128, 64]} float state cost about 60 us to allocate, several times the arithmetic of the
 * Runge-Kutta combination that wanted it (measured with a native profiler; see the README's speed section).
 * Why release deterministically: ND4J frees an array's native buffer only after the garbage collector
 * has found its Java object unreachable, and the Java objects are a few hundred bytes against the
 * buffer's megabytes, so a solve that left its arrays to the collector grew the process by gigabytes
 * between collections (an adaptive adjoint solve of a conv field: 11 GB in 200 minibatches).
 *
 * <p>{@link #take} hands out a dense 'c'-ordered array outside any workspace, with undefined contents; it
 * stays the caller's until it is given back, one by one ({@link #giveBack}) or all at once
 * ({@link #giveBackAll}, when a solve's arrays are all dead). At most {@code maxFreeBytes} of free arrays are
 * kept; a given-back array beyond that is freed at once ({@link INDArray#close()}), and {@link #close()}
 * frees every free one. Not thread-safe.
 */
public final class ArrayPool implements AutoCloseable {

    private final long maxFreeBytes;
    private final Map<String, ArrayDeque<INDArray>> free = new HashMap<>();
    private final Set<INDArray> outstanding = Collections.newSetFromMap(new IdentityHashMap<>());
    private long freeBytes;
    private long allocations;

    /**
     * @param maxFreeBytes the most bytes of free arrays kept for reuse (&gt;= 0; 0 frees every array as soon
     *                     as it is given back)
     */
    public ArrayPool(long maxFreeBytes) {
        if (maxFreeBytes < 0) {
            throw new IllegalArgumentException("an array pool keeps >= 0 free bytes, got " + maxFreeBytes);
        }
        this.maxFreeBytes = maxFreeBytes;
    }

    /** An array of this type and shape, 'c' order, contents undefined: a free one, or a new one. */
    public INDArray take(DataType type, long[] shape) {
        ArrayDeque<INDArray> candidates = free.get(key(type, shape));
        INDArray array = candidates == null ? null : candidates.poll();
        if (array != null) {
            freeBytes -= bytes(array);
        } else {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                array = Nd4j.createUninitialized(type, shape, 'c');
            }
            allocations++;
        }
        outstanding.add(array);
        return array;
    }

    /** An array like {@code a}: its type and shape, 'c' order, contents undefined. */
    public INDArray like(INDArray a) {
        return take(a.dataType(), a.shape());
    }

    /** An array of the pool's ({@link #take}) holding a copy of {@code a}'s values, in 'c' order. */
    public INDArray copyOf(INDArray a) {
        INDArray out = like(a);
        ArrayAlgebra.copy(a, out);
        return out;
    }

    /** Makes an array this pool handed out free again; any other array is ignored. */
    public void giveBack(INDArray array) {
        if (array != null && outstanding.remove(array)) {
            keep(array);
        }
    }

    /** Makes every array handed out free again: none of them may be used afterwards. */
    public void giveBackAll() {
        for (INDArray array : outstanding) {
            keep(array);
        }
        outstanding.clear();
    }

    /** Number of arrays handed out and not given back. */
    public int outstanding() {
        return outstanding.size();
    }

    /** Bytes of the free arrays kept. */
    public long freeBytes() {
        return freeBytes;
    }

    /**
     * Number of arrays this pool has allocated since it was made: constant over repeated solves of one shape
     * once the pool holds what a solve needs.
     */
    public long allocations() {
        return allocations;
    }

    /** Frees every free array now; arrays still handed out stay the caller's. The pool stays usable. */
    @Override
    public void close() {
        free.values().forEach(arrays -> arrays.forEach(INDArray::close));
        free.clear();
        freeBytes = 0;
    }

    private void keep(INDArray array) {
        long size = bytes(array);
        if (freeBytes + size <= maxFreeBytes) {
            free.computeIfAbsent(key(array.dataType(), array.shape()), k -> new ArrayDeque<>()).push(array);
            freeBytes += size;
        } else {
            array.close();
        }
    }

    private static long bytes(INDArray array) {
        return array.length() * array.dataType().width();
    }

    private static String key(DataType type, long[] shape) {
        return type + Arrays.toString(shape);
    }
}
