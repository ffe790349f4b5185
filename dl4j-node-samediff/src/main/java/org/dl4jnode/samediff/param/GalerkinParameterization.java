package org.dl4jnode.samediff.param;

import org.dl4jnode.samediff.basis.FunctionBasis;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Galerkin (spectral) parameterisation: every field parameter of shape S is
 * {@code W(t) = sum_j C_j psi_j(t)} with a trainable coefficient array C of shape {@code [m, S...]}
 * (the basis axis first) stored under the key {@code <key>Coef} (DL4J splits gradient keys at
 * {@code '_'}, so parameter keys never contain one).
 *
 * <p>The reconstruction is a graph op at the time the field is evaluated (every Runge-Kutta stage):
 * psi(t) is computed once per evaluation and contracted with each coefficient array,
 * {@code W = reshape(psi[1, m] x reshape(C, [m, |S|]), S)}. Gradients with respect to C are therefore
 * the spectral gradients {@code dL/dC_j = integral a^T df/dW psi_j(t) dt} of the discrete solve.
 *
 * <p>Initialisation: the field's parameters are drawn once with the ordinary init and placed in the
 * basis' constant combination ({@link FunctionBasis#constant()}), so the layer starts
 * depth-invariant and equals a plain ODE layer with those weights. Coefficients of the other modes
 * start at zero, or at {@code higherModeScale} times an independent ordinary draw.
 */
public final class GalerkinParameterization implements Parameterization {

    /** Suffix of a coefficient array's key. */
    public static final String COEFFICIENT_SUFFIX = "Coef";

    private final FunctionBasis basis;
    private final double t0;
    private final double t1;
    private final double higherModeScale;

    /**
     * @param basis           the functions psi_j
     * @param t0              start of the layer's time span
     * @param t1              end of the span, {@code > t0}
     * @param higherModeScale scale of the initial draw of the non-constant modes; 0 starts them at zero
     */
    public GalerkinParameterization(FunctionBasis basis, double t0, double t1, double higherModeScale) {
        this.basis = Objects.requireNonNull(basis, "basis");
        if (!(t1 > t0)) {
            throw new IllegalArgumentException("Galerkin parameterisation: span must have t1 > t0, got [" + t0 + ", "
                    + t1 + "]");
        }
        if (!(higherModeScale >= 0) || Double.isInfinite(higherModeScale)) {
            throw new IllegalArgumentException("Galerkin parameterisation: higherModeScale (initial scale of the "
                    + "higher modes) must be finite and >= 0, got " + higherModeScale);
        }
        this.t0 = t0;
        this.t1 = t1;
        this.higherModeScale = higherModeScale;
    }

    /** The key of the coefficients of field parameter {@code key}. */
    public static String coefficientKey(String key) {
        return key + COEFFICIENT_SUFFIX;
    }

    public FunctionBasis basis() {
        return basis;
    }

    @Override
    public List<ParamSpec> trainable(List<ParamSpec> fieldParameters) {
        List<ParamSpec> out = new ArrayList<>(fieldParameters.size());
        for (ParamSpec p : fieldParameters) {
            out.add(new ParamSpec(coefficientKey(p.key()), coefficientShape(p), p.bias(), p.zeroInit(), p.fanIn(),
                    p.fanOut()));
        }
        return out;
    }

    private long[] coefficientShape(ParamSpec p) {
        long[] s = p.shape();
        long[] c = new long[s.length + 1];
        c[0] = basis.size();
        System.arraycopy(s, 0, c, 1, s.length);
        return c;
    }

    @Override
    public ParameterSource source(SameDiff sd, Map<String, SDVariable> trainable) {
        // psi(t) once per evaluation time, shared by every parameter of that evaluation
        Map<SDVariable, SDVariable> psiAt = new IdentityHashMap<>();
        return (key, t) -> {
            SDVariable c = trainable.get(coefficientKey(key));
            if (c == null) {
                throw new IllegalArgumentException("no coefficients for parameter " + key + "; known: "
                        + trainable.keySet());
            }
            SDVariable psi = psiAt.computeIfAbsent(t, time -> basis.evaluate(sd, time, t0, t1));
            long[] shape = c.getShape();
            long[] field = java.util.Arrays.copyOfRange(shape, 1, shape.length);
            long elements = 1;
            for (long d : field) {
                elements *= d;
            }
            return psi.mmul(c.reshape(shape[0], elements)).reshape(field);
        };
    }

    @Override
    public void initialize(List<ParamSpec> fieldParameters, Map<String, INDArray> trainable,
                           BiConsumer<ParamSpec, INDArray> ordinaryInit) {
        double[] constant = basis.constant();
        for (ParamSpec p : fieldParameters) {
            INDArray coefficients = trainable.get(coefficientKey(p.key()));
            INDArray w = Nd4j.create(coefficients.dataType(), p.shape(), 'f');
            ordinaryInit.accept(p, w);
            for (int j = 0; j < constant.length; j++) {
                INDArray mode = coefficients.slice(j);
                if (constant[j] != 0) {
                    mode.assign(w.mul(constant[j]));
                } else if (higherModeScale > 0) {
                    INDArray draw = Nd4j.create(coefficients.dataType(), p.shape(), 'f');
                    ordinaryInit.accept(p, draw);
                    mode.assign(draw.muli(higherModeScale));
                } else {
                    mode.assign(0);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "galerkin(" + basis + ")";
    }
}
