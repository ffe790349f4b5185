package org.dl4jnode.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The largest Lyapunov exponent of a trained ODE layer around each input, by seed 002's Algorithm 1
 * (a simplified Wolf et al. estimate): for each example, a perturbation of h(t0) drawn uniformly on
 * the sphere of radius {@code r}, both trajectories integrated over the layer's span [t0, t1], and
 * {@code LE = log(|h'(t1) - h(t1)| / r) / (t1 - t0)}. Positive exponents mean nearby inputs diverge
 * through the flow (sensitivity; chaos in the limit), negative ones that they contract.
 *
 * <p>Batched: one solve for the minibatch and one for its perturbations. A finite span gives the
 * exponent in the direction drawn, which approaches the largest one as the span grows (for
 * dh/dt = A h: the largest real part of A's eigenvalues, up to {@code log|u_max| / T}, u_max the
 * drawn direction's component along the fastest mode). Reproducible from the seed.
 */
public final class LyapunovEstimator {

    private final double radius;
    private final long seed;

    /**
     * @param radius r &gt; 0, the perturbations' size (small against the state, large against the
     *               solver's error)
     * @param seed   seed of the perturbations' directions
     */
    public LyapunovEstimator(double radius, long seed) {
        if (!(radius > 0) || Double.isInfinite(radius)) {
            throw new IllegalArgumentException("Lyapunov estimate: radius r must be finite and > 0, got " + radius);
        }
        this.radius = radius;
        this.seed = seed;
    }

    /**
     * The estimated largest exponent for each example of {@code x}, a minibatch of the layer's input.
     *
     * @return one exponent per example, in units of 1 / (layer time)
     */
    public double[] largestExponents(OdeLayer layer, INDArray x) {
        INDArray h0 = layer.initialState(x);
        long n = h0.size(0);
        INDArray flat = h0.reshape('c', n, h0.length() / n);
        // uniform on the sphere: normalised Gaussian directions
        java.util.Random random = new java.util.Random(seed);
        double[][] draws = new double[(int) n][(int) flat.size(1)];
        for (double[] row : draws) {
            for (int j = 0; j < row.length; j++) {
                row[j] = random.nextGaussian();
            }
        }
        INDArray u = Nd4j.createFromArray(draws).castTo(flat.dataType());
        u.diviColumnVector(u.norm2(1).reshape(n, 1));
        INDArray perturbed = flat.add(u.muli(radius)).reshape('c', h0.shape());
        INDArray end = layer.finalStateFrom(x, h0).reshape('c', n, flat.size(1));
        INDArray endPerturbed = layer.finalStateFrom(x, perturbed).reshape('c', n, flat.size(1));
        double[] distance = endPerturbed.sub(end).norm2(1).toDoubleVector();
        double span = layer.layerConf().getTimeEnd() - layer.layerConf().getTimeStart();
        double[] exponents = new double[distance.length];
        for (int i = 0; i < exponents.length; i++) {
            exponents[i] = Math.log(distance[i] / radius) / span;
        }
        return exponents;
    }
}
