package org.dl4jnode.examples.experiments.poisson;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The physics-informed loss of {@code Delta phi = rho} with Dirichlet data {@code phi = g}, for a network whose output
 * is phi: {@code pdeWeight mean_c (lap_c - rho_c)^2 + boundaryWeight mean_b (phi_b - g_b)^2}.
 *
 * <p>DL4J does not differentiate a network's output twice with respect to its input, so the Laplacian is the
 * 5-point finite difference of the network itself: a minibatch starts with {@code collocation} stencils of five
 * rows each, a point and its neighbours at +-{@code spacing} in x and in y ({@link #stencilOffsets()}), then its
 * boundary rows. The labels ({@code [rows, 1]}) hold rho at each stencil's centre row, g at each boundary row, and
 * anything at the neighbour rows. {@code lap_c = (phi_+x + phi_-x + phi_+y + phi_-y - 4 phi_c) / spacing^2}, exact
 * for quadratics and accurate to {@code spacing^2 / 12} times phi's fourth derivatives, so the loss and its
 * gradient, a fixed linear map of the residuals, are the loss of a well-defined function of the network.
 */
public final class PoissonLoss implements ILossFunction {

    private static final long serialVersionUID = 1L;
    /** Rows of one stencil, and their offsets in units of the spacing: centre, +x, -x, +y, -y. */
    static final int STENCIL = 5;
    private static final int[][] OFFSETS = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}};

    @JsonProperty("collocation")
    private final int collocation;
    @JsonProperty("spacing")
    private final double spacing;
    @JsonProperty("pdeWeight")
    private final double pdeWeight;
    @JsonProperty("boundaryWeight")
    private final double boundaryWeight;

    /**
     * @param collocation    stencils at the start of every minibatch, &gt;= 1
     * @param spacing        the stencil's spacing, &gt; 0
     * @param pdeWeight      the weight of the PDE residual's mean square, &gt;= 0
     * @param boundaryWeight the weight of the boundary error's mean square, &gt;= 0
     */
    @JsonCreator
    public PoissonLoss(@JsonProperty("collocation") int collocation, @JsonProperty("spacing") double spacing,
                       @JsonProperty("pdeWeight") double pdeWeight,
                       @JsonProperty("boundaryWeight") double boundaryWeight) {
        if (collocation < 1 || !(spacing > 0) || !(pdeWeight >= 0) || !(boundaryWeight >= 0)) {
            throw new IllegalArgumentException("Poisson loss: need collocation >= 1, spacing > 0 and weights >= 0, "
                    + "got " + collocation + ", " + spacing + ", " + pdeWeight + ", " + boundaryWeight);
        }
        this.collocation = collocation;
        this.spacing = spacing;
        this.pdeWeight = pdeWeight;
        this.boundaryWeight = boundaryWeight;
    }

    /** The offsets (in spacings, x then y) of a stencil's five rows. */
    public static int[][] stencilOffsets() {
        return new int[][] {OFFSETS[0].clone(), OFFSETS[1].clone(), OFFSETS[2].clone(), OFFSETS[3].clone(),
                OFFSETS[4].clone()};
    }

    /** The two terms of the loss for the network's outputs {@code phi} ({@code [rows, 1]}): {pde, boundary}. */
    public double[] terms(INDArray labels, INDArray phi) {
        double[] residuals = residuals(labels, phi);
        double pde = 0;
        for (int c = 0; c < collocation; c++) {
            pde += residuals[c] * residuals[c];
        }
        double boundary = 0;
        int rows = (int) phi.size(0);
        for (int b = STENCIL * collocation; b < rows; b++) {
            double e = phi.getDouble(b, 0) - labels.getDouble(b, 0);
            boundary += e * e;
        }
        int boundaryRows = rows - STENCIL * collocation;
        return new double[] {pde / collocation, boundaryRows == 0 ? 0 : boundary / boundaryRows};
    }

    /** lap_c - rho_c for every stencil. */
    private double[] residuals(INDArray labels, INDArray phi) {
        if (phi.size(0) < (long) STENCIL * collocation) {
            throw new IllegalArgumentException("Poisson loss: a minibatch needs " + STENCIL * collocation
                    + " stencil rows first, got " + phi.size(0) + " rows");
        }
        double[] r = new double[collocation];
        double h2 = spacing * spacing;
        for (int c = 0; c < collocation; c++) {
            int row = STENCIL * c;
            double sum = phi.getDouble(row + 1, 0) + phi.getDouble(row + 2, 0) + phi.getDouble(row + 3, 0)
                    + phi.getDouble(row + 4, 0) - 4 * phi.getDouble(row, 0);
            r[c] = sum / h2 - labels.getDouble(row, 0);
        }
        return r;
    }

    private double score(INDArray labels, INDArray preOutput, IActivation activation) {
        double[] t = terms(labels, activation.getActivation(preOutput.dup(), true));
        return pdeWeight * t[0] + boundaryWeight * t[1];
    }

    /** The whole minibatch's loss; not per example (the stencil rows are one term), so not divided by the rows. */
    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                               boolean average) {
        return score(labels, preOutput, activation);
    }

    /** Each row's share of the loss: a stencil's term on its centre row, a boundary row's on itself. */
    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
        INDArray phi = activation.getActivation(preOutput.dup(), true);
        double[] residuals = residuals(labels, phi);
        INDArray out = phi.mul(0).reshape(phi.size(0));
        int boundaryRows = (int) phi.size(0) - STENCIL * collocation;
        for (int c = 0; c < collocation; c++) {
            out.putScalar(STENCIL * c, pdeWeight * residuals[c] * residuals[c] / collocation);
        }
        for (int b = STENCIL * collocation; b < phi.size(0); b++) {
            double e = phi.getDouble(b, 0) - labels.getDouble(b, 0);
            out.putScalar(b, boundaryWeight * e * e / boundaryRows);
        }
        return out;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
        INDArray phi = activation.getActivation(preOutput.dup(), true);
        double[] residuals = residuals(labels, phi);
        INDArray dPhi = phi.mul(0);
        double h2 = spacing * spacing;
        for (int c = 0; c < collocation; c++) {
            int row = STENCIL * c;
            double g = pdeWeight * 2 * residuals[c] / collocation / h2;
            dPhi.putScalar(row, 0, -4 * g);
            for (int k = 1; k < STENCIL; k++) {
                dPhi.putScalar(row + k, 0, g);
            }
        }
        int boundaryRows = (int) phi.size(0) - STENCIL * collocation;
        for (int b = STENCIL * collocation; b < phi.size(0); b++) {
            dPhi.putScalar(b, 0, boundaryWeight * 2 * (phi.getDouble(b, 0) - labels.getDouble(b, 0)) / boundaryRows);
        }
        return activation.backprop(preOutput.dup(), dPhi).getFirst();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activation,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activation, mask, average),
                computeGradient(labels, preOutput, activation, mask));
    }

    @Override
    public String name() {
        return "PoissonLoss(" + collocation + " stencils, spacing " + spacing + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoissonLoss p && p.collocation == collocation && p.spacing == spacing
                && p.pdeWeight == pdeWeight && p.boundaryWeight == boundaryWeight;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(collocation, spacing, pdeWeight, boundaryWeight);
    }

    @Override
    public String toString() {
        return name();
    }
}
