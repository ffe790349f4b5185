package org.dl4jnode.samediff.solve;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Eager linear combinations on {@link INDArray}s. Results are arrays of their own: fresh ones from
 * {@link #INSTANCE}, or taken from an {@link ArrayPool} by a {@link #pooled} algebra (the caller gives them
 * back when the solve no longer needs them).
 */
public final class ArrayAlgebra implements StateAlgebra<INDArray> {

    /** Allocates every result. */
    public static final ArrayAlgebra INSTANCE = new ArrayAlgebra(null);

    private final ArrayPool pool;

    private ArrayAlgebra(ArrayPool pool) {
        this.pool = pool;
    }

    /** An algebra whose results are taken from {@code pool}, in 'c' order. */
    public static ArrayAlgebra pooled(ArrayPool pool) {
        return new ArrayAlgebra(Objects.requireNonNull(pool, "pool"));
    }

    @Override
    public INDArray combine(INDArray base, double[] coefficients, List<INDArray> terms) {
        INDArray out = null;
        if (base != null) {
            out = like(base);
            copy(base, out);
        }
        for (int i = 0; i < terms.size(); i++) {
            if (coefficients[i] == 0) {
                continue;
            }
            if (out == null) {
                out = like(terms.get(i));
                scale(coefficients[i], terms.get(i), out);
            } else {
                axpy(coefficients[i], terms.get(i), out);
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("a combination with no base and no non-zero term has no shape");
        }
        return out;
    }

    /** Gives a result of a {@link #pooled} algebra back to its pool; nothing for {@link #INSTANCE}. */
    @Override
    public void release(INDArray value) {
        if (pool != null) {
            pool.giveBack(value);
        }
    }

    /** A new array of the type and shape of {@code a}, in 'c' order. */
    private INDArray like(INDArray a) {
        return pool != null ? pool.take(a.dataType(), a.shape()) : Nd4j.createUninitialized(a.dataType(), a.shape(), 'c');
    }

    /** {@code y = x}: BLAS copy where both are dense arrays of one ordering and type, an assign otherwise. */
    public static void copy(INDArray x, INDArray y) {
        if (blasCompatible(x, y)) {
            Nd4j.getBlasWrapper().level1().copy(x, y);
        } else {
            y.assign(x);
        }
    }

    private static boolean blasCompatible(INDArray x, INDArray y) {
        return Arrays.equals(x.shape(), y.shape()) && wholeBuffer(x) && wholeBuffer(y) && x.ordering() == y.ordering()
                && x.dataType() == y.dataType() && x.dataType().isFPType();
    }

    /** Contiguous over all of its buffer: a whole array, or a reshaped view of one. */
    private static boolean wholeBuffer(INDArray a) {
        return a.elementWiseStride() == 1 && a.offset() == 0 && a.length() == a.data().length();
    }

    /**
     * True for a whole (not a view), contiguous array in 'c' order: the layout the solver's arrays and
     * the field's graph share, on which libnd4j's element-wise ops take their fast contiguous loops.
     */
    public static boolean isDenseC(INDArray a) {
        return a.ordering() == 'c' && a.elementWiseStride() == 1 && !a.isView();
    }

    /**
     * True when no element of {@code a} is NaN or infinite. A finite BLAS {@code asum} (the sum of |a_i|,
     * through which NaN and infinities propagate) proves it in a few microseconds; otherwise, or for views
     * and other types, libnd4j counts the non-finite elements, which took 75 us on {@code [128, 64]} floats
     * (a sum can overflow on finite elements: the count decides then).
     */
    public static boolean isFinite(INDArray a) {
        DataType type = a.dataType();
        if ((type == DataType.FLOAT || type == DataType.DOUBLE) && wholeBuffer(a) && a.length() > 0
                && Double.isFinite(Nd4j.getBlasWrapper().level1().asum(a))) {
            return true;
        }
        return Nd4j.getExecutioner().exec(new MatchCondition(a, Conditions.notFinite())).getInt(0) == 0;
    }

    /**
     * {@code y = alpha x}, for arrays of one shape: BLAS copy and scal where both are whole dense arrays of
     * one ordering (no op object, no scalar array: this runs for every stage of a step and of its
     * backward pass), an element-wise op otherwise.
     */
    public static void scale(double alpha, INDArray x, INDArray y) {
        if (blasCompatible(x, y)) {
            Nd4j.getBlasWrapper().level1().copy(x, y);
            Nd4j.getBlasWrapper().level1().scal(y.length(), alpha, y);
        } else {
            x.mul(alpha, y);
        }
    }

    /**
     * {@code y += alpha x} in place, for arrays of one shape: BLAS axpy where both are whole dense
     * arrays of one ordering (no temporary), an element-wise op with a temporary otherwise.
     */
    public static void axpy(double alpha, INDArray x, INDArray y) {
        if (!Arrays.equals(x.shape(), y.shape())) {
            throw new IllegalArgumentException("axpy of shapes " + Arrays.toString(x.shape()) + " and "
                    + Arrays.toString(y.shape()));
        }
        if (blasCompatible(x, y)) {
            Nd4j.getBlasWrapper().level1().axpy(x.length(), alpha, x, y);
        } else {
            y.addi(x.mul(alpha));
        }
    }
}
