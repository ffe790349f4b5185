package org.dl4jnode.samediff.basis;

import org.dl4jnode.samediff.json.NamedTypeIds;

import java.util.Map;

/**
 * JSON type ids of Galerkin bases: {@code "fourier"}, {@code "chebyshev"}, {@code "legendre"},
 * {@code "polynomial"}, {@code "piecewiseConstant"} (the names of {@code Basis}' factories).
 */
final class BasisTypeIds extends NamedTypeIds {

    private static final Map<String, Class<?>> NAMES = Map.of(
            "fourier", FourierBasis.class,
            "chebyshev", ChebyshevBasis.class,
            "legendre", LegendreBasis.class,
            "polynomial", MonomialBasis.class,
            "piecewiseConstant", PiecewiseConstantBasis.class);
    private static final Map<String, Class<?>> LEGACY = Map.of(
            "org.dl4jnode.samediff.basis.FourierBasis", FourierBasis.class,
            "org.dl4jnode.samediff.basis.ChebyshevBasis", ChebyshevBasis.class,
            "org.dl4jnode.samediff.basis.LegendreBasis", LegendreBasis.class,
            "org.dl4jnode.samediff.basis.MonomialBasis", MonomialBasis.class,
            "org.dl4jnode.samediff.basis.PiecewiseConstantBasis", PiecewiseConstantBasis.class);

    BasisTypeIds() {
        super(NAMES, LEGACY);
    }
}
