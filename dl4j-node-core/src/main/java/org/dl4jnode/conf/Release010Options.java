package org.dl4jnode.conf;

/**
 * Reads release 0.1.0's JSON, which wrote the stepping and gradient options flat on the layer
 * ({@code "steps"}, {@code "rtol"}, {@code "atol"}, {@code "maxSteps"}, {@code "minStep"},
 * {@code "gradientMode"}, {@code "adjointRtol"}, {@code "adjointAtol"}) with NaN markers, into the
 * {@link Stepping} and {@link GradientComputation} values of today's layers. Jackson hands the layer
 * these properties one at a time; {@link StepOptions} makes the values, as it does for the builders.
 */
final class Release010Options {

    private final StepOptions options = new StepOptions();

    /**
     * Takes one property of the layer's JSON.
     *
     * @return true when it was one of release 0.1.0's flat options and both pairs of tolerances read so
     *         far are complete, so that {@link #stepping()} and {@link #gradientComputation()} are whole
     */
    boolean read(String name, Object value) {
        switch (name) {
            case "steps" -> options.steps = (int) number(value);
            case "rtol" -> options.rtol = number(value);
            case "atol" -> options.atol = number(value);
            case "maxSteps" -> options.maxSteps = (int) number(value);
            case "minStep" -> options.minStep = number(value);
            case "gradientMode" -> options.gradientMode = GradientMode.valueOf(String.valueOf(value));
            case "adjointRtol" -> options.adjointRtol = number(value);
            case "adjointAtol" -> options.adjointAtol = number(value);
            default -> {
                return false;
            }
        }
        return options.pairsComplete();
    }

    Stepping stepping() {
        return options.stepping();
    }

    GradientComputation gradientComputation() {
        return options.gradientComputation();
    }

    /** A number as Jackson reads it untyped: Integer, Double, or a string for NaN and infinities. */
    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(value));
    }
}
