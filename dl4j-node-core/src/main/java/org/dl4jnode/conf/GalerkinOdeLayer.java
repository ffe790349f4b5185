package org.dl4jnode.conf;

import org.dl4jnode.samediff.basis.FunctionBasis;
import org.dl4jnode.samediff.param.GalerkinParameterization;
import org.dl4jnode.samediff.param.Parameterization;

import java.util.Objects;

/**
 * A Galerkin neural ODE layer (GalNODE): like {@link OdeLayer}, but every weight and bias of the
 * field depends on depth, {@code W(t) = sum_j C_j psi_j(t)}, over a {@link Basis}.
 *
 * <pre>{@code
 * new GalerkinOdeLayer.Builder()
 *     .field(VectorField.mlp(64))
 *     .basis(Basis.fourier(5))             // every weight and bias of f is W(t) = sum_j C_j psi_j(t)
 *     .solver(Solver.RK4).steps(8)
 *     .build();
 * }</pre>
 *
 * <p><b>Parameters.</b> A field parameter {@code key} of shape S becomes the coefficient array
 * {@code keyCoef} of shape {@code [m, S...]}, the basis axis first (for {@code VectorField.mlp}:
 * {@code W0Coef [m, d, w]}, {@code WtCoef [m, 1, w]}, {@code b0Coef [m, 1, w]}, ...). They are
 * ordinary DL4J parameters: weight coefficients are weights (weight init, l1/l2, weight decay),
 * bias coefficients are biases (bias updater, bias regularisation).
 *
 * <p><b>Initialisation.</b> The field's parameters are drawn once with the layer's weight and bias
 * init and placed in the basis' constant mode; the other modes start at zero (or at
 * {@link Builder#higherModeScale(double)} times an independent draw). A fresh layer therefore equals
 * an {@code OdeLayer} with the same weights. For the piecewise-constant basis every interval starts
 * from the same weights.
 *
 * <p>The weights at a depth t are read with
 * {@link org.dl4jnode.layers.OdeLayer#weightsAt(double)}
 * ({@code net.getLayer(i)} is that runtime layer).
 */
public class GalerkinOdeLayer extends BaseOdeLayer {

    private static final long serialVersionUID = 1L;

    private FunctionBasis basis;
    private double higherModeScale;

    /** For JSON. */
    public GalerkinOdeLayer() {
    }

    protected GalerkinOdeLayer(Builder builder) {
        super(builder);
        this.basis = builder.basis;
        this.higherModeScale = builder.higherModeScale;
        // last: the parameter keys it resolves depend on the basis
        initializeConstraints(builder);
    }

    @Override
    public Parameterization parameterization() {
        return new GalerkinParameterization(basis, timeStart, timeEnd, higherModeScale);
    }

    @Override
    protected FunctionBasis galerkinBasis() {
        return basis;
    }

    public FunctionBasis getBasis() {
        return basis;
    }

    public void setBasis(FunctionBasis basis) {
        this.basis = basis;
    }

    public double getHigherModeScale() {
        return higherModeScale;
    }

    public void setHigherModeScale(double higherModeScale) {
        this.higherModeScale = higherModeScale;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && Objects.equals(basis, ((GalerkinOdeLayer) o).basis)
                && Double.compare(higherModeScale, ((GalerkinOdeLayer) o).higherModeScale) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), basis, higherModeScale);
    }

    @Override
    protected String options() {
        return super.options() + ", basis=" + basis + (higherModeScale == 0 ? "" : ", higherModeScale=" + higherModeScale);
    }

    /**
     * Builds a {@link GalerkinOdeLayer}: the options of {@link BaseOdeLayer.Builder} plus the basis
     * (required) and the initial scale of the higher modes (default 0).
     */
    public static class Builder extends BaseOdeLayer.Builder<Builder> {

        private FunctionBasis basis;
        private double higherModeScale = 0.0;

        /** The basis psi_j of the depth-varying weights, e.g. {@code Basis.fourier(5)}. Required. */
        public Builder basis(FunctionBasis basis) {
            this.basis = basis;
            return this;
        }

        /**
         * Initial coefficients of the non-constant modes: {@code scale} times an independent draw of
         * the ordinary weight/bias init. Default 0 (the layer starts depth-invariant).
         */
        public Builder higherModeScale(double scale) {
            this.higherModeScale = scale;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the layer and the bad value: the checks of
         *                                  {@link OdeLayer.Builder#build()}, a missing basis, a
         *                                  negative or non-finite higher-mode scale
         */
        @Override
        @SuppressWarnings("unchecked")
        public GalerkinOdeLayer build() {
            String who = validate("GalerkinOdeLayer");
            if (basis == null) {
                throw new IllegalArgumentException(who + ": basis is required, e.g. .basis(Basis.fourier(5))");
            }
            galerkin(who, basis, higherModeScale);
            return new GalerkinOdeLayer(this);
        }
    }
}
