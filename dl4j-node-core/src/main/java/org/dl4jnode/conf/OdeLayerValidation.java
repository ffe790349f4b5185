package org.dl4jnode.conf;

import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.dl4jnode.samediff.basis.FunctionBasis;
import org.dl4jnode.samediff.field.FieldDefinition;
import org.dl4jnode.samediff.param.GalerkinParameterization;
import org.dl4jnode.samediff.regularizer.EndpointRegularizer;
import org.dl4jnode.samediff.regularizer.FlowRegularizer;
import org.dl4jnode.samediff.regularizer.IntegralRegularizer;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The checks of an ODE layer's builder options, made together at {@code build()} (as DL4J's
 * {@code LayerValidation} does for its layers): each failure names the layer, the option and its
 * bad value. The stepping and gradient options are checked by {@link StepOptions}.
 */
final class OdeLayerValidation {

    private OdeLayerValidation() {
    }

    /** The checks every ODE layer shares; {@code who} names the layer, e.g. {@code OdeLayer 'ode'}. */
    static void validate(AbstractOdeLayerBuilder<?> b, String who) {
        if (b.field == null) {
            throw new IllegalArgumentException(who + ": field is required, e.g. .field(VectorField.mlp(64))");
        }
        if (b.solver == null) {
            throw new IllegalArgumentException(who + ": solver must not be null");
        }
        if (!Double.isFinite(b.timeStart) || !Double.isFinite(b.timeEnd) || !(b.timeEnd > b.timeStart)) {
            throw new IllegalArgumentException(who + ": time span must be finite with t1 > t0, got ["
                    + b.timeStart + ", " + b.timeEnd + "]");
        }
        b.step.validate(who, b.solver, b.timeStart, b.timeEnd);
        validateOutputTimes(b, who);
        validateRegularizers(b, who);
        if (b.depthWidths != null && b.field.stateRank() != 2) {
            throw new IllegalArgumentException(who + ": adaptiveDepth" + Arrays.toString(b.depthWidths) + " needs "
                    + "a feed-forward field (its depth network reads vectors); field " + b.field + " reads images");
        }
        if (b.depthWidths != null) {
            try {
                BaseOdeLayer.depthNetwork(b.depthWidths);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(who + ": adaptiveDepth" + Arrays.toString(b.depthWidths) + ": "
                        + e.getMessage(), e);
            }
        }
    }

    /**
     * Checks a Galerkin basis for the layer's span: adaptive depth excluded (it gives every example
     * its own time, so the weights W(t) would differ per example).
     *
     * @return the parameterisation the basis makes
     */
    static GalerkinParameterization galerkin(AbstractOdeLayerBuilder<?> b, String who, FunctionBasis basis,
                                             double higherModeScale) {
        if (b.depthWidths != null) {
            throw new IllegalArgumentException(who + ": adaptiveDepth" + Arrays.toString(b.depthWidths)
                    + " gives every example its own time, so the basis " + basis + " would need weights per "
                    + "example; use adaptive depth without a basis");
        }
        try {
            return new GalerkinParameterization(basis, b.timeStart, b.timeEnd, higherModeScale);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(who + ": " + e.getMessage(), e);
        }
    }

    private static void validateRegularizers(AbstractOdeLayerBuilder<?> b, String who) {
        List<FlowRegularizer> regularizers = b.regularizers;
        Set<String> seen = new HashSet<>();
        for (FlowRegularizer r : regularizers) {
            if (r == null) {
                throw new IllegalArgumentException(who + ": regularizers must not be null, got " + regularizers);
            }
            if (!(r instanceof IntegralRegularizer) && !(r instanceof EndpointRegularizer)) {
                throw new IllegalArgumentException(who + ": regulariser " + r + " is neither an integral nor an "
                        + "endpoint regulariser; implement IntegralRegularizer or EndpointRegularizer");
            }
            if (!seen.add(r.name())) {
                throw new IllegalArgumentException(who + ": regulariser " + r.name() + " is given twice in "
                        + regularizers + "; give it once with the summed weight");
            }
            if (r instanceof IntegralRegularizer i && i.needsJacobianProbe() && !b.field.hasJacobianProduct()) {
                throw new IllegalArgumentException(who + ": regulariser " + r + " needs the field's "
                        + "Jacobian-vector product, which field " + b.field + " does not define (MLP and conv "
                        + "fields with tanh, sigmoid, ReLU, softplus or identity activations do)");
            }
        }
    }

    private static void validateOutputTimes(AbstractOdeLayerBuilder<?> b, String who) {
        double[] outputTimes = b.outputTimes;
        int outputTimesFromInput = b.outputTimesFromInput;
        FieldDefinition field = b.field;
        if (outputTimesFromInput < 0) {
            throw new IllegalArgumentException(who + ": outputTimesFromInput must be >= 0 (0: none), got "
                    + outputTimesFromInput);
        }
        if (outputTimesFromInput > 0 && outputTimes != null) {
            throw new IllegalArgumentException(who + ": outputTimes" + Arrays.toString(outputTimes) + " and "
                    + "outputTimesFromInput(" + outputTimesFromInput + ") exclude each other: the output times "
                    + "are either the layer's or each example's");
        }
        if (outputTimesFromInput > 0 && field.stateRank() != 2) {
            throw new IllegalArgumentException(who + ": outputTimesFromInput gives a recurrent output "
                    + "[minibatch, d, T], which needs a feed-forward field; field " + field + " works on images");
        }
        if (b.interpolateOutputs) {
            if (outputTimes == null && outputTimesFromInput == 0) {
                throw new IllegalArgumentException(who + ": interpolateOutputs(true) reads output times between "
                        + "steps, but no outputTimes are set; set outputTimes(...) or outputTimesFromInput(...), "
                        + "or remove it");
            }
            if (!b.step.adaptive()) {
                throw new IllegalArgumentException(who + ": interpolateOutputs(true) needs adaptive stepping "
                        + "(tolerances(rtol, atol)); a fixed grid of " + b.step.steps + " steps already ends a step at "
                        + "each output time");
            }
            if (b.solver.tableau().continuousExtension().isEmpty()) {
                throw new IllegalArgumentException(who + ": interpolateOutputs(true) needs a solver with dense "
                        + "output (" + Solver.interpolating() + "), got " + b.solver);
            }
        }
        if (outputTimes == null) {
            return;
        }
        if (outputTimes.length == 0) {
            throw new IllegalArgumentException(who + ": outputTimes needs at least one time (T = 0 given); omit "
                    + "it to output h(t1)");
        }
        if (field.stateRank() != 2) {
            throw new IllegalArgumentException(who + ": outputTimes gives a recurrent output [minibatch, d, T], "
                    + "which needs a feed-forward field; field " + field + " works on images");
        }
        for (int k = 0; k < outputTimes.length; k++) {
            double t = outputTimes[k];
            if (!(t >= b.timeStart && t <= b.timeEnd)) {
                throw new IllegalArgumentException(who + ": output time " + k + " = " + t + " is outside the time "
                        + "span [" + b.timeStart + ", " + b.timeEnd + "]");
            }
            if (k > 0 && !(t > outputTimes[k - 1])) {
                throw new IllegalArgumentException(who + ": output times must increase, got " + outputTimes[k - 1]
                        + " then " + t + " at index " + k);
            }
        }
    }

    /**
     * Constraints and weight noise act on the stored parameter arrays. With a Galerkin basis those are
     * the coefficients C_j, not the weights W(t) = sum_j C_j psi_j(t) the field uses: a bound or a sign
     * on every C_j is no bound or sign on W(t) (psi_j changes sign), and noise on C_j is noise that
     * changes with depth. Rather than apply them where a user would not expect, the layer refuses them.
     */
    static void refuseOnCoefficients(String who, FunctionBasis basis, String option, Object... values) {
        if (basis == null || Arrays.stream(values).allMatch(Objects::isNull)) {
            return;
        }
        String why = option.equals("weightNoise") ? "noise on each C_j is noise that changes with depth t"
                : "a bound or a sign on each C_j is none on W(t), psi_j(t) changing sign";
        throw new DL4JInvalidConfigException(who + ": " + option + " " + Arrays.stream(values)
                .filter(Objects::nonNull).map(String::valueOf).collect(Collectors.joining(", "))
                + " would act on the coefficients C_j of the basis " + basis + ", not on the weights W(t) = "
                + "sum_j C_j psi_j(t) (" + why + "); ODE layers without a basis take them. In a network with this "
                + "layer, set " + option + " on the other layers' builders, not on the NeuralNetConfiguration.Builder");
    }
}
