package org.dl4jnode.samediff.solve;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

/** Eager linear combinations on {@link INDArray}s; results are fresh arrays, one allocation each. */
public final class ArrayAlgebra implements StateAlgebra<INDArray> {

    public static final ArrayAlgebra INSTANCE = new ArrayAlgebra();

    private ArrayAlgebra() {
    }

    @Override
    public INDArray combine(INDArray base, double[] coefficients, List<INDArray> terms) {
        INDArray out = base == null ? null : base.dup();
        for (int i = 0; i < terms.size(); i++) {
            if (coefficients[i] == 0) {
                continue;
            }
            if (out == null) {
                out = terms.get(i).mul(coefficients[i]);
            } else {
                axpy(coefficients[i], terms.get(i), out);
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("a combination with no base and no non-zero term has no shape");
        }
        return out;
    }

    /**
     * True for a whole (not a view), contiguous array in 'c' order: the layout the solver's arrays and
     * the field's graph share, on which libnd4j's element-wise ops take their fast contiguous loops.
     */
    public static boolean isDenseC(INDArray a) {
        return a.ordering() == 'c' && a.elementWiseStride() == 1 && !a.isView();
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
        boolean dense = !x.isView() && !y.isView() && x.ordering() == y.ordering() && x.elementWiseStride() == 1
                && y.elementWiseStride() == 1 && x.dataType() == y.dataType() && x.dataType().isFPType();
        if (dense) {
            Nd4j.getBlasWrapper().level1().axpy(x.length(), alpha, x, y);
        } else {
            y.addi(x.mul(alpha));
        }
    }
}
