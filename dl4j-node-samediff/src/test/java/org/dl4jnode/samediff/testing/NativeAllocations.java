package org.dl4jnode.samediff.testing;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.factory.DataBufferFactory;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.LongSupplier;

/**
 * Counts the bytes of the native buffers ND4J allocates while it is open: every new array's buffer outside
 * a workspace goes through ND4J's {@link DataBufferFactory}, which this swaps for a counting proxy (by
 * reflection: ND4J has no setter) and puts back on {@link #close()}. Views of existing buffers and
 * workspace memory are not counted: they allocate nothing that the garbage collector would have to free.
 * For tests that prove a solve leaves no arrays behind. Not thread-safe; one at a time.
 */
public final class NativeAllocations implements AutoCloseable, LongSupplier {

    private final Field field;
    private final DataBufferFactory original;
    private long bytes;
    private long buffers;
    private long largest;

    private NativeAllocations() {
        try {
            Nd4j.getDataBufferFactory(); // ND4J initialised
            field = Nd4j.class.getDeclaredField("DATA_BUFFER_FACTORY_INSTANCE");
            field.setAccessible(true);
            original = (DataBufferFactory) field.get(null);
            InvocationHandler counting = (proxy, method, args) -> {
                Object result;
                try {
                    result = method.invoke(original, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
                if (result instanceof DataBuffer buffer && allocates(args) && !buffer.isAttached()) {
                    long size = buffer.length() * buffer.getElementSize();
                    bytes += size;
                    buffers++;
                    largest = Math.max(largest, size);
                }
                return result;
            };
            field.set(null, Proxy.newProxyInstance(DataBufferFactory.class.getClassLoader(),
                    new Class<?>[] {DataBufferFactory.class}, counting));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot count ND4J's allocations in this ND4J version", e);
        }
    }

    /** Starts counting. */
    public static NativeAllocations count() {
        return new NativeAllocations();
    }

    /** A call that wraps an existing buffer or pointer (a view) allocates nothing. */
    private static boolean allocates(Object[] args) {
        if (args == null) {
            return true;
        }
        for (Object a : args) {
            if (a instanceof DataBuffer || a instanceof org.bytedeco.javacpp.Pointer || a instanceof java.nio.Buffer) {
                return false;
            }
        }
        return true;
    }

    /** Bytes allocated since counting started. */
    @Override
    public long getAsLong() {
        return bytes;
    }

    /** Buffers allocated since counting started. */
    public long buffers() {
        return buffers;
    }

    /** Bytes of the largest buffer allocated since counting started: 8 or less when only scalars were. */
    public long largest() {
        return largest;
    }

    @Override
    public void close() {
        try {
            field.set(null, original);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
