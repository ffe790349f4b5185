package org.dl4jnode.samediff.solve;

/**
 * An adaptive solve that cannot go on: the step size underflowed, the step budget ran out, or the
 * state or its error estimate stopped being finite. Carries where it stopped.
 */
public final class IntegrationException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final double time;
    private final double stepSize;
    private final int acceptedSteps;

    public IntegrationException(String reason, double time, double stepSize, int acceptedSteps) {
        super(reason + " at t = " + time + " (step size " + stepSize + ", " + acceptedSteps + " steps accepted)");
        this.time = time;
        this.stepSize = stepSize;
        this.acceptedSteps = acceptedSteps;
    }

    /** The time the solve had reached. */
    public double time() {
        return time;
    }

    /** The step size being tried. */
    public double stepSize() {
        return stepSize;
    }

    public int acceptedSteps() {
        return acceptedSteps;
    }
}
