package org.dl4jnode.samediff.solve;

/**
 * What the grids of one pass did, accumulated over every grid (segment) it integrates: accepted and
 * rejected steps, and the smallest and largest accepted step sizes (absolute). Mutable: a pass makes
 * one and hands it to each grid it integrates.
 */
public final class SolveStatistics {

    private int accepted;
    private int rejected;
    private double smallestStep = Double.POSITIVE_INFINITY;
    private double largestStep;

    /** Records an accepted step of size {@code dt} (either sign). */
    public void accepted(double dt) {
        accepted++;
        smallestStep = Math.min(smallestStep, Math.abs(dt));
        largestStep = Math.max(largestStep, Math.abs(dt));
    }

    /** Records a rejected step. */
    public void rejected() {
        rejected++;
    }

    public int acceptedSteps() {
        return accepted;
    }

    public int rejectedSteps() {
        return rejected;
    }

    /** The smallest accepted step size; NaN before any step. */
    public double smallestStep() {
        return accepted == 0 ? Double.NaN : smallestStep;
    }

    /** The largest accepted step size; NaN before any step. */
    public double largestStep() {
        return accepted == 0 ? Double.NaN : largestStep;
    }

    @Override
    public String toString() {
        return accepted + " accepted, " + rejected + " rejected steps"
                + (accepted == 0 ? "" : String.format(", step sizes %.3g to %.3g", smallestStep, largestStep));
    }
}
