package org.dl4jnode.samediff.regularizer;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.SplittableRandom;

/**
 * The Jacobian's Frobenius norm along the flow, {@code lambda * mean integral ||dF/dh||_F^2 dt}
 * ("How to train your neural ODE", Finlay et al. 2020), by Hutchinson's estimate
 * {@code ||J||_F^2 = E ||J eps||^2} with one Rademacher probe eps (entries +-1) per example per
 * solve, held fixed along it. The product {@code J eps} is the field's Jacobian-vector product
 * ({@link org.dl4jnode.samediff.field.FieldDefinition#defineWithTangent}), an unbiased estimate as
 * the paper's vector-Jacobian product is.
 *
 * <p>Probes are reproducible: {@link #jacobianProbe} draws them from {@link #seed()} and the solve's index
 * (the layer passes its training iteration), so a repeated solve, such as a gradient check's,
 * sees the same probe.
 */
public final class JacobianFrobenius extends WeightedRegularizer implements IntegralRegularizer {

    private static final long serialVersionUID = 1L;

    @JsonProperty("seed")
    private final long seed;

    @JsonCreator
    public JacobianFrobenius(@JsonProperty("weight") double weight, @JsonProperty("seed") long seed) {
        super("jacobianFrobenius", weight);
        this.seed = seed;
    }

    /** A copy that draws its probes from {@code seed}. */
    public JacobianFrobenius seed(long seed) {
        return new JacobianFrobenius(weight(), seed);
    }

    public long seed() {
        return seed;
    }

    @Override
    public boolean needsJacobianProbe() {
        return true;
    }

    @Override
    public SDVariable integrand(SameDiff sd, FlowPoint point) {
        SDVariable jv = point.jacobianProbe();
        return jv.mul(jv).sum(true, 1);
    }

    /**
     * The Rademacher probe of one solve, {@code shape} (the state's, minibatch first), the same for
     * the same seed and {@code solveIndex} on every backend.
     */
    @Override
    public INDArray jacobianProbe(long[] shape, DataType dataType, long solveIndex) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (solveIndex + 1)));
        double[] values = new double[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextBoolean() ? 1.0 : -1.0;
        }
        return Nd4j.create(values, shape, 'c').castTo(dataType);
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && seed == ((JacobianFrobenius) o).seed;
    }

    @Override
    public int hashCode() {
        return super.hashCode() * 31 + Long.hashCode(seed);
    }

    @Override
    public String toString() {
        return seed == 0 ? super.toString() : name() + "(" + weight() + ", seed " + seed + ")";
    }
}
