package org.dl4jnode.conf;

import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.dl4jnode.samediff.field.FieldDefinition;
import org.dl4jnode.samediff.regularizer.FlowRegularizer;
import org.nd4j.shade.jackson.annotation.JsonAnySetter;
import org.nd4j.shade.jackson.annotation.JsonIgnore;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An ODE layer's options as its JSON holds them: the fields, their bean accessors (which Jackson and
 * DL4J use), equality, {@link #toString()}, and the reading of release 0.1.0's flat options. What the
 * options mean to DL4J and to the solve is {@link BaseOdeLayer}'s; users build layers with its
 * subclasses' builders.
 */
public abstract class OdeLayerProperties extends FeedForwardLayer {

    private static final long serialVersionUID = 1L;

    protected FieldDefinition field;
    protected Solver solver;
    protected double timeStart;
    protected double timeEnd;
    protected Stepping stepping = Stepping.fixed(StepOptions.DEFAULT_STEPS);
    protected GradientComputation gradientComputation = GradientComputation.backprop();
    /** What a failed solve does (JSON {@code "solveFailurePolicy"}; absent in older files: fail). */
    protected SolveFailurePolicy solveFailurePolicy = SolveFailurePolicy.fail();
    /** Release 0.1.0's flat options as read from its JSON; null for layers not read from such a file. */
    private transient Release010Options release010;
    /** True: the field reads the layer's input, f(t, h, x). */
    protected boolean dataControlled;
    /** Hidden widths of the depth network g of T(x) = |1 + g(x)|; null: every example runs over the span. */
    protected int[] depthWidths;
    /**
     * Times at which the layer outputs the state, increasing, in [t0, t1]: the output is then
     * {@code [minibatch, d, T]}, DL4J's recurrent type; null: the output is h(t1), {@code [minibatch, d]}.
     */
    protected double[] outputTimes;
    /**
     * True: outputs before the last are read off the steps by the solver's dense output instead of being
     * stepped to (JSON {@code "interpolateOutputs"}; absent in older files: false).
     */
    protected boolean interpolateOutputs;
    /**
     * How many of the input's last columns are each example's own output times (JSON
     * {@code "outputTimesFromInput"}; absent in older files: 0, no such columns): the output is then
     * {@code [minibatch, d, T]} with T this count, example i's column j at its time {@code x[i, nIn + j]}.
     */
    protected int outputTimesFromInput;
    /** The image's height and width for a convolutional field (set with nIn from the input type); 0 otherwise. */
    protected long height;
    protected long width;
    /** Penalties on the flow added to the training score (Lyapunov stability, kinetic energy, Jacobian norm). */
    protected List<FlowRegularizer> regularizers = List.of();

    /** For JSON. */
    protected OdeLayerProperties() {
    }

    OdeLayerProperties(AbstractOdeLayerBuilder<?> builder) {
        super(builder);
        this.field = builder.field;
        this.solver = builder.solver;
        this.timeStart = builder.timeStart;
        this.timeEnd = builder.timeEnd;
        this.stepping = builder.stepping();
        this.gradientComputation = builder.gradientComputation();
        this.solveFailurePolicy = builder.step.solveFailurePolicy;
        this.dataControlled = builder.dataControlled;
        this.depthWidths = builder.depthWidths == null ? null : builder.depthWidths.clone();
        this.outputTimes = builder.outputTimes == null ? null : builder.outputTimes.clone();
        this.interpolateOutputs = builder.interpolateOutputs;
        this.outputTimesFromInput = builder.outputTimesFromInput;
        this.regularizers = List.copyOf(builder.regularizers);
        this.nOut = this.nIn;
    }

    /** A short description for messages: type and name. */
    public String describe() {
        return describe(getClass().getSimpleName(), layerName);
    }

    /** How messages name a layer, built or not yet: {@code OdeLayer 'ode'}, {@code OdeLayer '(unnamed)'}. */
    static String describe(String layerType, String layerName) {
        return layerType + " '" + (layerName == null ? "(unnamed)" : layerName) + "'";
    }

    public FieldDefinition getField() {
        return field;
    }

    public void setField(FieldDefinition field) {
        this.field = field;
    }

    public Solver getSolver() {
        return solver;
    }

    public void setSolver(Solver solver) {
        this.solver = solver;
    }

    public double getTimeStart() {
        return timeStart;
    }

    public void setTimeStart(double timeStart) {
        this.timeStart = timeStart;
    }

    public double getTimeEnd() {
        return timeEnd;
    }

    public void setTimeEnd(double timeEnd) {
        this.timeEnd = timeEnd;
    }

    /** How the solve covers its span (JSON {@code "stepping"}). */
    public Stepping getStepping() {
        return stepping;
    }

    public void setStepping(Stepping stepping) {
        this.stepping = stepping;
    }

    /** How the gradients are computed (JSON {@code "gradientComputation"}). */
    public GradientComputation getGradientComputation() {
        return gradientComputation;
    }

    public void setGradientComputation(GradientComputation gradientComputation) {
        this.gradientComputation = gradientComputation;
    }

    /** What a failed adaptive forward solve does (JSON {@code "solveFailurePolicy"}). */
    public SolveFailurePolicy getSolveFailurePolicy() {
        return solveFailurePolicy;
    }

    public void setSolveFailurePolicy(SolveFailurePolicy solveFailurePolicy) {
        this.solveFailurePolicy = solveFailurePolicy == null ? SolveFailurePolicy.fail() : solveFailurePolicy;
    }

    /** The gradient mode of {@link #getGradientComputation()}. */
    @JsonIgnore
    public GradientMode getGradientMode() {
        return gradientComputation.mode();
    }

    /** Release 0.1.0's flat stepping and gradient options, read into the values they make. */
    @JsonAnySetter
    private void readRelease010Option(String name, Object value) {
        if (release010 == null) {
            release010 = new Release010Options();
        }
        if (release010.read(name, value)) {
            stepping = release010.stepping();
            gradientComputation = release010.gradientComputation();
        }
    }

    public boolean isDataControlled() {
        return dataControlled;
    }

    public void setDataControlled(boolean dataControlled) {
        this.dataControlled = dataControlled;
    }

    /** The image height of a convolutional field's state (0 for feed-forward fields); set from the input type. */
    public long getHeight() {
        return height;
    }

    public void setHeight(long height) {
        this.height = height;
    }

    /** The image width of a convolutional field's state (0 for feed-forward fields); set from the input type. */
    public long getWidth() {
        return width;
    }

    public void setWidth(long width) {
        this.width = width;
    }

    /** Hidden widths of the adaptive-depth network; null when the depth is fixed. */
    public int[] getDepthWidths() {
        return depthWidths == null ? null : depthWidths.clone();
    }

    public void setDepthWidths(int[] depthWidths) {
        this.depthWidths = depthWidths == null ? null : depthWidths.clone();
    }

    /** The times the state is output at (copy), or null when the layer outputs h(t1) only. */
    public double[] getOutputTimes() {
        return outputTimes == null ? null : outputTimes.clone();
    }

    public void setOutputTimes(double[] outputTimes) {
        this.outputTimes = outputTimes == null ? null : outputTimes.clone();
    }

    /** Whether outputs before the last are interpolated inside steps rather than stepped to. */
    public boolean isInterpolateOutputs() {
        return interpolateOutputs;
    }

    public void setInterpolateOutputs(boolean interpolateOutputs) {
        this.interpolateOutputs = interpolateOutputs;
    }

    /** How many of the input's last columns are each example's output times; 0: none. */
    public int getOutputTimesFromInput() {
        return outputTimesFromInput;
    }

    public void setOutputTimesFromInput(int outputTimesFromInput) {
        this.outputTimesFromInput = outputTimesFromInput;
    }

    /** The flow regularisers, in configuration order (empty: none). */
    public List<FlowRegularizer> getRegularizers() {
        return regularizers;
    }

    public void setRegularizers(List<FlowRegularizer> regularizers) {
        this.regularizers = regularizers == null ? List.of() : List.copyOf(regularizers);
    }

    /**
     * True when the layer outputs the state at several times, {@code [minibatch, d, T]}: fixed
     * {@code outputTimes} or each example's own ({@code outputTimesFromInput}).
     */
    @JsonIgnore
    public boolean hasOutputTimes() {
        return outputTimes != null || outputTimesFromInput > 0;
    }

    /** True when each example's output times are the last columns of its input row. */
    @JsonIgnore
    public boolean hasOutputTimesFromInput() {
        return outputTimesFromInput > 0;
    }

    /** True when every example learns its own integration depth T(x). */
    @JsonIgnore
    public boolean hasAdaptiveDepth() {
        return depthWidths != null;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass() || !super.equals(o)) {
            return false;
        }
        OdeLayerProperties that = (OdeLayerProperties) o;
        return Double.compare(timeStart, that.timeStart) == 0
                && Double.compare(timeEnd, that.timeEnd) == 0 && Objects.equals(field, that.field)
                && solver == that.solver && Objects.equals(stepping, that.stepping)
                && Objects.equals(gradientComputation, that.gradientComputation)
                && Objects.equals(solveFailurePolicy, that.solveFailurePolicy) && dataControlled == that.dataControlled
                && Arrays.equals(depthWidths, that.depthWidths) && Arrays.equals(outputTimes, that.outputTimes)
                && interpolateOutputs == that.interpolateOutputs && outputTimesFromInput == that.outputTimesFromInput
                && height == that.height && width == that.width && regularizers.equals(that.regularizers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), field, solver, timeStart, timeEnd, stepping, gradientComputation,
                solveFailurePolicy, dataControlled, Arrays.hashCode(depthWidths),
                Arrays.hashCode(outputTimes), interpolateOutputs, outputTimesFromInput, height, width, regularizers);
    }

    @Override
    public String toString() {
        return describe() + "{" + options() + "}";
    }

    /** The options for {@link #toString()}; subclasses append theirs. */
    protected String options() {
        return "nIn=" + nIn + (height > 0 ? ", image=" + height + "x" + width : "") + ", field=" + field + ", solver="
                + solver + ", " + stepping + ", timeSpan=[" + timeStart
                + ", " + timeEnd + "], gradient=" + gradientComputation
                + (solveFailurePolicy instanceof SolveFailurePolicy.Fail ? "" : ", onSolveFailure=" + solveFailurePolicy)
                + (dataControlled ? ", data-controlled" : "")
                + (depthWidths != null ? ", adaptiveDepth" + Arrays.toString(depthWidths) : "")
                + (outputTimes != null ? ", outputTimes=" + Arrays.toString(outputTimes) : "")
                + (outputTimesFromInput > 0 ? ", outputTimesFromInput=" + outputTimesFromInput : "")
                + (interpolateOutputs ? " (interpolated)" : "")
                + (regularizers.isEmpty() ? "" : ", regularizers=" + regularizers);
    }
}
