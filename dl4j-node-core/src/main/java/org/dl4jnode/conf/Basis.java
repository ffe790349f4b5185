package org.dl4jnode.conf;

import org.dl4jnode.samediff.basis.ChebyshevBasis;
import org.dl4jnode.samediff.basis.FourierBasis;
import org.dl4jnode.samediff.basis.FunctionBasis;
import org.dl4jnode.samediff.basis.LegendreBasis;
import org.dl4jnode.samediff.basis.MonomialBasis;
import org.dl4jnode.samediff.basis.PiecewiseConstantBasis;

import java.util.Locale;

/**
 * Factories for the bases of a {@link GalerkinOdeLayer}: W(t) = sum_j C_j psi_j(t).
 *
 * <pre>{@code
 * Basis.fourier(5)                 // 1, cos/sin of 5 harmonics over the span: 11 modes
 * Basis.fourier(5).period(2.0)     // the same with period 2 (time units)
 * Basis.chebyshev(4)               // T_0..T_4 on the span mapped to [-1, 1]: 5 modes
 * Basis.legendre(4), Basis.polynomial(4)
 * Basis.piecewiseConstant(3)       // the stacked model: 3 depth intervals with their own weights
 * Basis.parse("fourier:5")         // for command lines and config files
 * }</pre>
 */
public final class Basis {

    private Basis() {
    }

    /** The constant and {@code n >= 0} harmonics of period = span length; {@code 2n + 1} modes. */
    public static FourierBasis fourier(int n) {
        return FourierBasis.of(n);
    }

    /** Chebyshev polynomials of degree 0..n on the span mapped to [-1, 1]; {@code n + 1} modes. */
    public static ChebyshevBasis chebyshev(int n) {
        return new ChebyshevBasis(n);
    }

    /** Legendre polynomials of degree 0..n on the span mapped to [-1, 1]; {@code n + 1} modes. */
    public static LegendreBasis legendre(int n) {
        return new LegendreBasis(n);
    }

    /** Monomials 1, x, ..., x^n on the span mapped to [-1, 1]; {@code n + 1} modes. */
    public static MonomialBasis polynomial(int n) {
        return new MonomialBasis(n);
    }

    /** Indicators of {@code n >= 1} equal depth intervals: the stacked model; {@code n} modes. */
    public static PiecewiseConstantBasis piecewiseConstant(int n) {
        return new PiecewiseConstantBasis(n);
    }

    /**
     * A basis from text {@code name:n}, e.g. {@code fourier:5}, {@code chebyshev:3},
     * {@code legendre:3}, {@code polynomial:2}, {@code piecewiseConstant:4} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the text for an unknown basis or a bad number
     */
    public static FunctionBasis parse(String spec) {
        String[] parts = spec == null ? new String[0] : spec.trim().split(":");
        if (parts.length != 2) {
            throw new IllegalArgumentException("basis '" + spec + "': expected name:n, e.g. fourier:5");
        }
        int n;
        try {
            n = Integer.parseInt(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("basis '" + spec + "': '" + parts[1] + "' is not an integer", e);
        }
        return switch (parts[0].trim().toLowerCase(Locale.ROOT)) {
            case "fourier" -> fourier(n);
            case "chebyshev" -> chebyshev(n);
            case "legendre" -> legendre(n);
            case "polynomial" -> polynomial(n);
            case "piecewiseconstant" -> piecewiseConstant(n);
            default -> throw new IllegalArgumentException("basis '" + spec + "': unknown basis '" + parts[0]
                    + "'; known: fourier, chebyshev, legendre, polynomial, piecewiseConstant");
        };
    }
}
