package org.dl4jnode.samediff.solve;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/** Eager linear combinations on {@link INDArray}s; results are fresh arrays. */
public final class ArrayAlgebra implements StateAlgebra<INDArray> {

    public static final ArrayAlgebra INSTANCE = new ArrayAlgebra();

    private ArrayAlgebra() {
    }

    @Override
    public INDArray combine(INDArray base, double[] coefficients, List<INDArray> terms) {
        INDArray out = null;
        for (int i = 0; i < terms.size(); i++) {
            if (coefficients[i] == 0) {
                continue;
            }
            INDArray term = terms.get(i);
            if (out == null) {
                out = base == null ? term.mul(coefficients[i]) : base.add(term.mul(coefficients[i]));
            } else {
                // axpy in place: out += c * term, no temporary
                out.addi(term.mul(coefficients[i]));
            }
        }
        if (out == null) {
            if (base == null) {
                throw new IllegalArgumentException("a combination with no base and no non-zero term has no shape");
            }
            return base.dup();
        }
        return out;
    }
}
