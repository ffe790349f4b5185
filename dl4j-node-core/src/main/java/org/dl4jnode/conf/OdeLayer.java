package org.dl4jnode.conf;

import org.dl4jnode.samediff.param.Parameterization;


/**
 * A neural ODE layer: maps its input h(t0), {@code [minibatch, d]}, to h(t1), the solution of
 * dh/dt = f(t, h; theta), with one set of field weights theta for all t (depth-invariant; the field
 * may still depend on t through its input).
 *
 * <pre>{@code
 * new OdeLayer.Builder()
 *     .field(VectorField.mlp(64))          // f(t, h): d -> 64 -> d, tanh, t fed to the field
 *     .solver(Solver.RK4).steps(8)         // fixed grid on timeSpan
 *     .timeSpan(0.0, 1.0)
 *     .build();                            // nIn inferred from setInputType(...)
 * }</pre>
 *
 * <p>Input {@code [minibatch, d]} (or an image {@code [minibatch, c, h, w]} for a conv field); the
 * output has the input's shape, or {@code [minibatch, d, T]} with
 * {@link BaseOdeLayer.Builder#outputTimes(double...) outputTimes}. Gradients are those of the
 * discrete solve with {@link GradientMode#BACKPROP} (the default: backpropagation through the
 * solver's steps), and of the continuous problem, accurate to the solves' error, with
 * {@link GradientMode#ADJOINT}. Parameters are those of the field (for {@code VectorField.mlp}:
 * {@code W0, Wt, b0, W1, b1, ...}).
 */
public class OdeLayer extends BaseOdeLayer {

    private static final long serialVersionUID = 1L;

    /** For JSON. */
    public OdeLayer() {
    }

    protected OdeLayer(Builder builder) {
        super(builder);
        initializeConstraints(builder);
    }

    @Override
    public Parameterization parameterization() {
        return Parameterization.DIRECT;
    }

    /** Builds an {@link OdeLayer}; see {@link BaseOdeLayer.Builder} for the options and defaults. */
    public static class Builder extends BaseOdeLayer.Builder<Builder> {

        /**
         * @throws IllegalArgumentException naming the layer and the bad value, for a missing field,
         *                                  steps &lt; 1, or a time span without t1 &gt; t0
         */
        @Override
        @SuppressWarnings("unchecked")
        public OdeLayer build() {
            validate("OdeLayer");
            return new OdeLayer(this);
        }
    }
}
