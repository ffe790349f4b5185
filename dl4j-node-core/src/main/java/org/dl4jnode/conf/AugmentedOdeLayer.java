package org.dl4jnode.conf;

import org.dl4jnode.samediff.basis.FunctionBasis;
import org.dl4jnode.samediff.param.GalerkinParameterization;
import org.dl4jnode.samediff.param.Parameterization;

import java.util.Objects;

/**
 * A neural ODE layer on an augmented state (seed 002, section 4): the input x, {@code [minibatch, d]},
 * becomes the initial state of a larger ODE as its {@link Augmentation} says, the ODE is solved, and
 * the final state is the output.
 *
 * <pre>{@code
 * new AugmentedOdeLayer.Builder()
 *     .augmentation(Augmentation.zeros(4)) // or inputLayer(4), secondOrder()
 *     .field(VectorField.mlp(64))
 *     .solver(Solver.DOPRI5).tolerances(1e-4, 1e-4)
 *     .gradient(GradientMode.ADJOINT)
 *     .build();
 * }</pre>
 *
 * <p><b>Output.</b> The whole final state ({@code d + k} features, {@code 2d} for
 * {@code secondOrder()}) by default, or only its first d dims (the positions of a second-order
 * ODE) with {@link Builder#keepAugmentedDims(boolean) keepAugmentedDims(false)}. Either way the next
 * layer's nIn is inferred.
 *
 * <p><b>Parameters.</b> The input layer's {@code liftW}, {@code liftb} (for
 * {@code Augmentation.inputLayer} and {@code velocityFromInputLayer()}), then the field's. With
 * {@link Builder#basis(FunctionBasis)} the field's weights are Galerkin coefficients exactly as in a
 * {@link GalerkinOdeLayer}; the input layer's stay ordinary weights. Everything else (solvers,
 * tolerances, the adjoint, data control) is as for {@link OdeLayer}.
 */
public class AugmentedOdeLayer extends BaseOdeLayer {

    private static final long serialVersionUID = 1L;

    private Augmentation augmentation;
    private boolean keepAugmentedDims = true;
    /** Null: the field's weights do not vary with depth. */
    private FunctionBasis basis;

    /** For JSON. */
    public AugmentedOdeLayer() {
    }

    protected AugmentedOdeLayer(Builder builder) {
        super(builder);
        this.augmentation = builder.augmentation;
        this.keepAugmentedDims = builder.keepAugmentedDims;
        this.basis = builder.basis;
        if (nIn > 0) {
            this.nOut = outputSize(nIn);
        }
        // last: the parameter keys it resolves depend on the augmentation
        initializeConstraints(builder);
    }

    @Override
    public Augmentation augmentation() {
        return augmentation;
    }

    @Override
    protected long outputSize(long inputSize) {
        return keepAugmentedDims ? augmentation.stateSize(inputSize) : inputSize;
    }

    @Override
    public Parameterization parameterization() {
        return basis == null ? Parameterization.DIRECT : new GalerkinParameterization(basis, timeStart, timeEnd, 0.0);
    }

    public Augmentation getAugmentation() {
        return augmentation;
    }

    public void setAugmentation(Augmentation augmentation) {
        this.augmentation = augmentation;
    }

    public boolean isKeepAugmentedDims() {
        return keepAugmentedDims;
    }

    public void setKeepAugmentedDims(boolean keepAugmentedDims) {
        this.keepAugmentedDims = keepAugmentedDims;
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

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && Objects.equals(augmentation, ((AugmentedOdeLayer) o).augmentation)
                && keepAugmentedDims == ((AugmentedOdeLayer) o).keepAugmentedDims
                && Objects.equals(basis, ((AugmentedOdeLayer) o).basis);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), augmentation, keepAugmentedDims, basis);
    }

    @Override
    protected String options() {
        return super.options() + ", augmentation=" + augmentation + (keepAugmentedDims ? "" : ", output=first nIn dims")
                + (basis == null ? "" : ", basis=" + basis);
    }

    /**
     * Builds an {@link AugmentedOdeLayer}: the options of {@link BaseOdeLayer.Builder} plus the
     * augmentation (required), whether the output keeps the augmented dims (default true) and an
     * optional Galerkin basis for the field's weights.
     */
    public static class Builder extends BaseOdeLayer.Builder<Builder> {

        private Augmentation augmentation;
        private boolean keepAugmentedDims = true;
        private FunctionBasis basis;

        /** How the state is made from the input, e.g. {@code Augmentation.zeros(4)}. Required. */
        public Builder augmentation(Augmentation augmentation) {
            this.augmentation = augmentation;
            return this;
        }

        /**
         * True (default): the output is the whole final state. False: only its first nIn dims (the
         * input's own dims; for second order, the positions).
         */
        public Builder keepAugmentedDims(boolean keep) {
            this.keepAugmentedDims = keep;
            return this;
        }

        /**
         * Makes the field's weights depth-varying Galerkin coefficients over this basis, as in
         * {@link GalerkinOdeLayer} (the higher modes start at zero). Default: none.
         */
        public Builder basis(FunctionBasis basis) {
            this.basis = basis;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the layer and the bad value: the checks of
         *                                  {@link OdeLayer.Builder#build()}, a missing augmentation, a
         *                                  second-order split wider than a given nIn, adaptive depth
         *                                  with a basis
         */
        @Override
        @SuppressWarnings("unchecked")
        public AugmentedOdeLayer build() {
            String who = validate("AugmentedOdeLayer");
            if (augmentation == null) {
                throw new IllegalArgumentException(who + ": augmentation is required, e.g. "
                        + ".augmentation(Augmentation.zeros(4))");
            }
            if (nIn > 0) {
                augmentation.validate(who, nIn);
            }
            if (field.stateRank() != 2 && augmentation.init() != Augmentation.Init.ZEROS) {
                throw new IllegalArgumentException(who + ": augmentation " + augmentation + " learns a linear map of "
                        + "vectors; with the image field " + field + " use zeros(k) (k extra channels) or "
                        + "secondOrder()");
            }
            if (basis != null) {
                galerkin(who, basis, 0.0);
            }
            return new AugmentedOdeLayer(this);
        }
    }
}
