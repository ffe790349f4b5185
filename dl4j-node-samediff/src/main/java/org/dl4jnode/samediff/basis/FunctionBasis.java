package org.dl4jnode.samediff.basis;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;
import org.nd4j.shade.jackson.databind.annotation.JsonTypeIdResolver;

import java.io.Serializable;

/**
 * A finite set of functions psi_0(t), ..., psi_{m-1}(t) on a time span [t0, t1], evaluated as
 * SameDiff ops: the eigenfunctions of a Galerkin expansion W(t) = sum_j C_j psi_j(t).
 *
 * <p>Each basis maps the span to its natural domain itself (Fourier: [0, period); the polynomial
 * families: [-1, 1]; piecewise constant: n equal intervals). Implementations are immutable values,
 * serialisable to JSON (they travel inside DL4J layer configurations).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CUSTOM, include = JsonTypeInfo.As.PROPERTY, property = "@class")
@JsonTypeIdResolver(BasisTypeIds.class)
public interface FunctionBasis extends Serializable {

    /** The number of functions m (the length of the coefficient axis). */
    int size();

    /**
     * psi(t) as a {@code [1, m]} row, defined in {@code sd}.
     *
     * @param t  a scalar variable, the time
     * @param t0 start of the layer's time span
     * @param t1 end of the layer's time span, {@code t1 > t0}
     */
    SDVariable evaluate(SameDiff sd, SDVariable t, double t0, double t1);

    /**
     * The coefficients c of the constant function, sum_j c_j psi_j(t) = 1 for every t in the span.
     * A Galerkin layer initialises its coefficients from these, so it starts as a depth-invariant
     * layer. Default: the first function is the constant 1.
     */
    default double[] constant() {
        double[] c = new double[size()];
        c[0] = 1.0;
        return c;
    }
}
