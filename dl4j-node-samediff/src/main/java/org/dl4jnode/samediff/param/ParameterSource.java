package org.dl4jnode.samediff.param;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Where a vector field gets its parameters from, inside a graph, at a given time.
 *
 * <p>For an ordinary field this is a lookup of a variable; for a Galerkin field it reconstructs
 * W(t) = sum_j C_j psi_j(t). A field asks for every parameter through this, once per evaluation, so
 * it never needs to know which of the two it is.
 */
@FunctionalInterface
public interface ParameterSource {

    /** The parameter {@code key} at time {@code t} (a scalar variable). */
    SDVariable get(String key, SDVariable t);
}
