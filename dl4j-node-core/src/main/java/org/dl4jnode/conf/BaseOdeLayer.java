package org.dl4jnode.conf;

import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.dl4jnode.params.OdeParamInitializer;
import org.dl4jnode.samediff.basis.FunctionBasis;
import org.dl4jnode.samediff.field.FieldDefinition;
import org.dl4jnode.samediff.field.MlpField;
import org.dl4jnode.samediff.param.GalerkinParameterization;
import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.regularizer.EndpointRegularizer;
import org.dl4jnode.samediff.regularizer.FlowRegularizer;
import org.dl4jnode.samediff.regularizer.IntegralRegularizer;
import org.dl4jnode.samediff.solve.StepSizeController;
import org.dl4jnode.samediff.solve.Tolerances;
import org.dl4jnode.samediff.system.OdeSystem;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Configuration shared by the ODE layers: a vector field f(t, h), a solver and a time span. The
 * layer maps its input h(t0) to h(t1), the solution of dh/dt = f(t, h).
 *
 * <p>Subclasses decide how the field's parameters are stored ({@link #parameterization()}). Weight
 * init, bias init, updaters, gradient normalisation, regularisation, constraints, dropout (on the
 * layer's input) and weight noise come from the ordinary DL4J options, per layer or global; the
 * field's weights count as weights and its biases as biases. Refused, with a message naming the
 * layer: an {@code activation} on the layer's builder (the field has its own), a network data type
 * other than FLOAT or DOUBLE (at {@code init()}), and constraints or weight noise on Galerkin
 * coefficients.
 */
public abstract class BaseOdeLayer extends FeedForwardLayer {

    private static final long serialVersionUID = 1L;

    protected FieldDefinition field;
    protected Solver solver;
    protected double timeStart;
    protected double timeEnd;
    protected Stepping stepping = Stepping.fixed(Builder.DEFAULT_STEPS);
    protected GradientComputation gradientComputation = GradientComputation.backprop();
    /** What a failed solve does (JSON {@code "solveFailurePolicy"}; absent in older files: fail). */
    protected SolveFailurePolicy solveFailurePolicy = SolveFailurePolicy.fail();
    /** The flat options of release 0.1.0's JSON, read into {@link #stepping} and {@link #gradientComputation}. */
    private transient LegacyOptions legacy;
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
    protected BaseOdeLayer() {
    }

    protected BaseOdeLayer(Builder<?> builder) {
        super(builder);
        this.field = builder.field;
        this.solver = builder.solver;
        this.timeStart = builder.timeStart;
        this.timeEnd = builder.timeEnd;
        this.stepping = builder.stepping();
        this.gradientComputation = builder.gradientComputation();
        this.solveFailurePolicy = builder.solveFailurePolicy;
        this.dataControlled = builder.dataControlled;
        this.depthWidths = builder.depthWidths == null ? null : builder.depthWidths.clone();
        this.outputTimes = builder.outputTimes == null ? null : builder.outputTimes.clone();
        this.interpolateOutputs = builder.interpolateOutputs;
        this.outputTimesFromInput = builder.outputTimesFromInput;
        this.regularizers = List.copyOf(builder.regularizers);
        this.nOut = this.nIn;
    }

    /** How the field's parameters are represented by this layer's trainable arrays. */
    @JsonIgnore
    public abstract Parameterization parameterization();

    /**
     * How the ODE state is made from the input. Plain ODE layers use {@code zeros(0)}: the state is
     * the input.
     */
    @JsonIgnore
    public Augmentation augmentation() {
        return Augmentation.zeros(0);
    }

    /** The size of the layer's output for an input of {@code inputSize} features: the whole state. */
    protected long outputSize(long inputSize) {
        return augmentation().stateSize(inputSize);
    }

    /** True when the field works on images {@code [minibatch, channels, height, width]}, not on vectors. */
    @JsonIgnore
    public boolean isConvolutional() {
        return field != null && field.stateRank() == 4;
    }

    /**
     * The ODE state's shape without the minibatch dimension: {@code [D]}, or {@code [D, height, width]}
     * for a convolutional field (D counting channels).
     */
    @JsonIgnore
    public long[] stateShape() {
        long d = stateSize();
        if (!isConvolutional()) {
            return new long[] {d};
        }
        if (height < 1 || width < 1) {
            throw new DL4JInvalidConfigException(describe() + ": the image size is not set; let setInputType("
                    + "InputType.convolutional(height, width, channels)) infer it");
        }
        return new long[] {d, height, width};
    }

    /** The ODE state's size for the current {@code nIn}. */
    @JsonIgnore
    public long stateSize() {
        return augmentation().stateSize(requireNIn());
    }

    /**
     * The right-hand side solved by this layer for its current {@code nIn}: the field, with the
     * second-order structure, data control and adaptive depth that are configured.
     */
    @JsonIgnore
    public OdeSystem odeSystem() {
        return system(List.of());
    }

    /**
     * The right-hand side a training solve integrates: {@link #odeSystem()} with the integral
     * regularisers' quadratures riding along (the same system when there are none).
     */
    @JsonIgnore
    public OdeSystem trainingSystem() {
        return system(integralRegularizers());
    }

    private OdeSystem system(List<IntegralRegularizer> integrals) {
        return system(requireNIn(), integrals);
    }

    private OdeSystem system(long d, List<IntegralRegularizer> integrals) {
        OdeSystem.Builder system = OdeSystem.builder(field, augmentation().stateSize(d))
                .secondOrder(augmentation().velocityDims(d)).integrals(integrals);
        if (dataControlled) {
            system.dataControlled(d);
        }
        if (depthWidths != null) {
            system.adaptiveDepth(depthNetwork(depthWidths), d, timeStart);
        }
        return system.build();
    }

    /** The regularisers integrated along the solve, in configuration order. */
    @JsonIgnore
    public List<IntegralRegularizer> integralRegularizers() {
        return regularizers(IntegralRegularizer.class);
    }

    /** The regularisers on the end of the solve, in configuration order. */
    @JsonIgnore
    public List<EndpointRegularizer> endpointRegularizers() {
        return regularizers(EndpointRegularizer.class);
    }

    private <R extends FlowRegularizer> List<R> regularizers(Class<R> kind) {
        return regularizers.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /**
     * The depth network g of T(x) = |1 + g(x)| (seed 002): ReLU hidden layers, as in the paper, and
     * a last layer that starts at zero, so every example starts at the depth of the time span.
     */
    private static MlpField depthNetwork(int[] widths) {
        return MlpField.of(widths).activation(Activation.RELU).timeDependent(false).zeroInitLast(true);
    }

    /**
     * The trainable arrays of this layer for its current {@code nIn}, in parameter-vector order: the
     * input layer's (if any), then those behind the right-hand side's parameters.
     */
    @JsonIgnore
    public List<ParamSpec> trainableParams() {
        return trainableParams(requireNIn());
    }

    private List<ParamSpec> trainableParams(long inputSize) {
        List<ParamSpec> out = new ArrayList<>(augmentation().parameters(inputSize));
        out.addAll(parameterization().trainable(system(inputSize, List.of()).parameters()));
        return out;
    }

    /**
     * The keys of {@link #trainableParams()}, in parameter-vector order, each mapped to true for a bias.
     * Known before nIn is: DL4J asks for them while it builds a configuration, before setInputType sets
     * nIn (a global constraint does). Keys, order and bias flags follow from the layer's structure
     * alone, so they are read off the smallest input the layer accepts until nIn is set.
     */
    @JsonIgnore
    public Map<String, Boolean> parameterKeys() {
        Map<String, Boolean> keys = new LinkedHashMap<>();
        for (ParamSpec p : trainableParams(nIn > 0 ? nIn : augmentation().smallestInputSize())) {
            keys.put(p.key(), p.bias());
        }
        return keys;
    }

    private long requireNIn() {
        if (nIn <= 0) {
            throw new DL4JInvalidConfigException(describe() + ": nIn is not set; set it with .nIn(...) or let "
                    + "setInputType(...) infer it");
        }
        return nIn;
    }

    /** True when tolerances are set: the solver chooses its steps. */
    @JsonIgnore
    public boolean isAdaptive() {
        return stepping instanceof Stepping.Adaptive;
    }

    /** The forward solve's tolerances (see {@link #isAdaptive()}). */
    @JsonIgnore
    public Tolerances tolerances() {
        if (!(stepping instanceof Stepping.Adaptive adaptive)) {
            throw new IllegalStateException(describe() + " has a fixed grid (" + stepping + "), no tolerances");
        }
        return adaptive.tolerances();
    }

    /** The adjoint's tolerances: those set with the builder's {@code adjointTolerances}, else the forward ones. */
    @JsonIgnore
    public Tolerances adjointTolerances() {
        Tolerances own = gradientComputation instanceof GradientComputation.Adjoint adjoint ? adjoint.tolerances() : null;
        return own == null ? tolerances() : own;
    }

    /** A short description for messages: type and name. */
    public String describe() {
        return getClass().getSimpleName() + " '" + (layerName == null ? "(unnamed)" : layerName) + "'";
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        if (networkDataType != DataType.FLOAT && networkDataType != DataType.DOUBLE) {
            // half precision's 3 significant digits are below the tolerances an adaptive step or the adjoint's
            // backward solve must resolve, and libnd4j's BLAS calls of the solve have no HALF kernels
            throw new DL4JInvalidConfigException(describe() + " (index " + layerIndex + "): the network's data type "
                    + networkDataType + " is not supported; ODE layers solve in FLOAT or DOUBLE: set "
                    + ".dataType(DataType.FLOAT) on the NeuralNetConfiguration.Builder");
        }
        // every ODE layer shares one runtime; they differ in parameterisation only
        return LayerInstantiation.wire(new org.dl4jnode.layers.OdeLayer(conf, networkDataType), conf, listeners,
                layerIndex, layerParamsView, initializeParams, initializer());
    }

    @Override
    public ParamInitializer initializer() {
        return OdeParamInitializer.getInstance();
    }

    /**
     * A convolutional field reads images: flat images ({@code InputType.convolutionalFlat}) are reshaped
     * to {@code [minibatch, channels, height, width]} first. Feed-forward fields take DL4J's usual
     * preprocessors.
     */
    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        if (isConvolutional() && inputType instanceof InputType.InputTypeConvolutionalFlat flat) {
            return new FeedForwardToCnnPreProcessor(flat.getHeight(), flat.getWidth(), flat.getDepth());
        }
        return isConvolutional() ? null : super.getPreProcessorForInputType(inputType);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        long size = stateInputSize(inputType);
        if (inputType instanceof InputType.InputTypeConvolutional image) {
            height = image.getHeight();
            width = image.getWidth();
        }
        if (nIn > 0 && !override && nIn != size) {
            throw new DL4JInvalidConfigException(describe() + ": nIn = " + nIn + " but the input type " + inputType
                    + " has " + size + " features");
        }
        if (nIn <= 0 || override) {
            nIn = size;
        }
        try {
            augmentation().validate(describe(), nIn);
        } catch (IllegalArgumentException e) {
            throw new DL4JInvalidConfigException(e.getMessage(), e);
        }
        nOut = outputSize(nIn);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        long out = outputSize(stateInputSize(inputType));
        if (outputTimes != null) {
            return InputType.recurrent(out, outputTimes.length);
        }
        if (outputTimesFromInput > 0) {
            return InputType.recurrent(out, outputTimesFromInput);
        }
        if (inputType instanceof InputType.InputTypeConvolutional image) {
            return InputType.convolutional(image.getHeight(), image.getWidth(), out, CNN2DFormat.NCHW);
        }
        return InputType.feedForward(out);
    }

    /**
     * The input's features that are the state's (all but the {@code outputTimesFromInput} columns of
     * times), checking that there are some.
     */
    private long stateInputSize(InputType inputType) {
        long size = inputSize(inputType);
        if (size <= outputTimesFromInput) {
            throw new DL4JInvalidConfigException(describe() + ": outputTimesFromInput(" + outputTimesFromInput
                    + ") reads the input's last " + outputTimesFromInput + " columns as output times, but the input "
                    + "type " + inputType + " has only " + size + " features; give the layer the state and the "
                    + "times (in a ComputationGraph: addLayer(name, layer, stateInput, timesInput))");
        }
        return size - outputTimesFromInput;
    }

    /** The input's features (channels for a convolutional field), checking that the field can read it. */
    private long inputSize(InputType inputType) {
        if (isConvolutional()) {
            if (inputType instanceof InputType.InputTypeConvolutional image) {
                if (image.getFormat() != CNN2DFormat.NCHW) {
                    throw new DL4JInvalidConfigException(describe() + ": field " + field + " reads NCHW images "
                            + "[minibatch, channels, height, width], got input type " + inputType
                            + "; use CNN2DFormat.NCHW in the layers before it");
                }
                return image.getChannels();
            }
            throw new DL4JInvalidConfigException(describe() + ": field " + field + " needs image input [minibatch, "
                    + "channels, height, width] (InputType.convolutional or convolutionalFlat), got input type "
                    + inputType);
        }
        if (inputType instanceof InputType.InputTypeFeedForward ff) {
            return ff.getSize();
        }
        if (inputType instanceof InputType.InputTypeConvolutionalFlat flat) {
            return flat.getFlattenedSize();
        }
        throw new DL4JInvalidConfigException(describe() + ": field " + field
                + " needs feed-forward input [minibatch, features], got input type " + inputType);
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType out = getOutputType(-1, inputType);
        long pixels = inputType instanceof InputType.InputTypeConvolutional image
                ? image.getHeight() * image.getWidth() : 1;
        long state = augmentation().stateSize(stateInputSize(inputType)) * pixels;
        long numParams = initializer().numParams(this);
        long updaterState = getIUpdater() == null ? 0 : getIUpdater().stateSize(numParams);
        int stages = solver.tableau().stages();
        // backprop keeps every stage state of every step for the backward pass (adaptive: at most maxSteps);
        // the adjoint's flat state [h, a, thetaBar] needs a few copies per stage, whatever the steps; the
        // checkpointed gradient holds one replayed run (its budget, not per example) and a state per checkpoint
        long steps = stepping instanceof Stepping.Adaptive a ? a.maxSteps() : ((Stepping.Fixed) stepping).steps();
        long perExample = switch (getGradientMode()) {
            case ADJOINT -> (stages + 3L) * 2 * state;
            case CHECKPOINTED -> 2L * stages * state + state;
            case BACKPROP -> steps * stages * state;
        };
        return new LayerMemoryReport.Builder(layerName, getClass(), inputType, out)
                .standardMemory(numParams, updaterState)
                .workingMemory(0, out.arrayElementsPerExample() * 2, 0, perExample)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    /**
     * Constraints, as DL4J applies them after each update to the parameter arrays they name. They
     * reach the field's weights ({@code W0}, {@code Wt}, {@code W1}, ...; a convolutional field's are
     * {@code [kH, kW, inChannels, outChannels]}, so a per-filter max-norm reduces dimensions 0, 1, 2),
     * the input layer's {@code liftW} and the depth network's weights; bias constraints its biases.
     * Refused with a Galerkin basis: they would bound the coefficients C_j, not W(t).
     */
    @Override
    public void setConstraints(List<LayerConstraint> constraints) {
        if (constraints != null && !constraints.isEmpty()) {
            refuseOnCoefficients(describe(), galerkinBasis(), "constraints", constraints);
        }
        super.setConstraints(constraints);
    }

    /**
     * DL4J's weight noise ({@code DropConnect}, {@code WeightNoise}), drawn for each training solve from
     * the weights the constraints reach (and the biases where it applies to them). Refused with a
     * Galerkin basis: it would perturb the coefficients C_j, not W(t).
     */
    @Override
    public void setWeightNoise(IWeightNoise weightNoise) {
        if (weightNoise != null) {
            refuseOnCoefficients(describe(), galerkinBasis(), "weightNoise", weightNoise);
        }
        super.setWeightNoise(weightNoise);
    }

    /** The basis the layer's weights W(t) are expanded in; null when it stores its weights as they are. */
    @JsonIgnore
    protected FunctionBasis galerkinBasis() {
        return null;
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

    /*
     * Release 0.1.0 wrote the stepping and gradient options flat, with NaN markers (rtol = NaN: a fixed
     * grid; adjointRtol = NaN: the forward tolerances). These setters read them into the values; every
     * such file has all eight, so the last one read leaves both values complete.
     */

    @JsonProperty("steps")
    private void setLegacySteps(int steps) {
        legacy().steps = steps;
        applyLegacy();
    }

    @JsonProperty("rtol")
    private void setLegacyRtol(double rtol) {
        legacy().rtol = rtol;
        applyLegacy();
    }

    @JsonProperty("atol")
    private void setLegacyAtol(double atol) {
        legacy().atol = atol;
        applyLegacy();
    }

    @JsonProperty("maxSteps")
    private void setLegacyMaxSteps(int maxSteps) {
        legacy().maxSteps = maxSteps;
        applyLegacy();
    }

    @JsonProperty("minStep")
    private void setLegacyMinStep(double minStep) {
        legacy().minStep = minStep;
        applyLegacy();
    }

    @JsonProperty("gradientMode")
    private void setLegacyGradientMode(GradientMode mode) {
        legacy().gradientMode = mode;
        applyLegacy();
    }

    @JsonProperty("adjointRtol")
    private void setLegacyAdjointRtol(double rtol) {
        legacy().adjointRtol = rtol;
        applyLegacy();
    }

    @JsonProperty("adjointAtol")
    private void setLegacyAdjointAtol(double atol) {
        legacy().adjointAtol = atol;
        applyLegacy();
    }

    private LegacyOptions legacy() {
        if (legacy == null) {
            legacy = new LegacyOptions();
        }
        return legacy;
    }

    private void applyLegacy() {
        LegacyOptions o = legacy;
        stepping = Double.isNaN(o.rtol) || Double.isNaN(o.atol) ? Stepping.fixed(o.steps)
                : Stepping.adaptive(o.rtol, o.atol, o.maxSteps, o.minStep);
        gradientComputation = o.gradientMode != GradientMode.ADJOINT ? GradientComputation.backprop()
                : Double.isNaN(o.adjointRtol) || Double.isNaN(o.adjointAtol) ? GradientComputation.adjoint()
                : GradientComputation.adjoint(o.adjointRtol, o.adjointAtol);
    }

    /** Release 0.1.0's flat options, as its JSON may hold them, with their defaults. */
    private static final class LegacyOptions {
        int steps = Builder.DEFAULT_STEPS;
        double rtol = Double.NaN;
        double atol = Double.NaN;
        int maxSteps = Builder.DEFAULT_MAX_STEPS;
        double minStep;
        GradientMode gradientMode = GradientMode.BACKPROP;
        double adjointRtol = Double.NaN;
        double adjointAtol = Double.NaN;
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
        BaseOdeLayer that = (BaseOdeLayer) o;
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

    /**
     * Builder options shared by the ODE layers. Defaults: {@link Solver#RK4}, 4 steps, time span
     * [0, 1]; the field is required. {@link #tolerances(double, double)} switches an embedded pair
     * ({@link Solver#DOPRI5}, {@link Solver#TSIT5}, {@link Solver#DOPRI8}, {@link Solver#BOSH3}) from the
     * fixed grid to adaptive steps.
     */
    public abstract static class Builder<T extends Builder<T>> extends FeedForwardLayer.Builder<T> {

        /** Default budget of accepted steps of an adaptive solve. */
        public static final int DEFAULT_MAX_STEPS = 4096;
        /** Default number of equal steps over the time span. */
        public static final int DEFAULT_STEPS = 4;

        protected FieldDefinition field;
        protected Solver solver = Solver.RK4;
        protected int steps = DEFAULT_STEPS;
        protected double timeStart = 0.0;
        protected double timeEnd = 1.0;
        protected boolean stepsSet;
        protected double rtol = Double.NaN;
        protected double atol = Double.NaN;
        protected int maxSteps = DEFAULT_MAX_STEPS;
        protected boolean maxStepsSet;
        protected double minStep = 0.0;
        protected StepSizeController controller;
        protected SolveFailurePolicy solveFailurePolicy = SolveFailurePolicy.fail();
        protected GradientMode gradientMode = GradientMode.BACKPROP;
        protected double adjointRtol = Double.NaN;
        protected double adjointAtol = Double.NaN;
        protected boolean adjointSeminorm;
        protected long checkpointMemory = GradientComputation.DEFAULT_CHECKPOINT_MEMORY;
        protected boolean checkpointMemorySet;
        protected boolean dataControlled;
        protected int[] depthWidths;
        protected double[] outputTimes;
        protected boolean interpolateOutputs;
        protected int outputTimesFromInput;
        protected List<FlowRegularizer> regularizers = List.of();

        /** The vector field f(t, h), e.g. {@code VectorField.mlp(64)}. Required. */
        public T field(FieldDefinition field) {
            this.field = field;
            return self();
        }

        /** The Runge-Kutta method. Default {@link Solver#RK4}. */
        public T solver(Solver solver) {
            this.solver = solver;
            return self();
        }

        /** Number of equal steps over the time span. Default 4. Excludes {@link #tolerances(double, double)}. */
        public T steps(int steps) {
            this.steps = steps;
            this.stepsSet = true;
            return self();
        }

        /**
         * Adaptive steps with these relative and absolute tolerances (both &gt; 0): a step is accepted
         * when the RMS over the minibatch of {@code error / (atol + rtol |h|)} is at most 1. Needs an
         * embedded pair ({@link Solver#DOPRI5} or {@link Solver#BOSH3}); excludes {@link #steps(int)}.
         */
        public T tolerances(double rtol, double atol) {
            this.rtol = rtol;
            this.atol = atol;
            return self();
        }

        /** The most accepted steps of an adaptive solve before it fails. Default 4096. */
        public T maxSteps(int maxSteps) {
            this.maxSteps = maxSteps;
            this.maxStepsSet = true;
            return self();
        }

        /**
         * How an adaptive solve sizes its next step: {@code StepSizeController.pid(0.4, 0.3, 0)} adds a
         * proportional term that damps the oscillation of step sizes on stiff-ish fields (fewer rejected
         * steps); default {@link StepSizeController#integral()}. Needs {@link #tolerances(double, double)}.
         */
        public T stepSizeController(StepSizeController controller) {
            this.controller = controller;
            return self();
        }

        /**
         * What a failed solve does: {@link SolveFailurePolicy#fail()} (default),
         * {@link SolveFailurePolicy#retryOnFixedGrid(int)} (needs {@link #tolerances(double, double)})
         * or {@link SolveFailurePolicy#skipMinibatch()} (needs {@code SkipMinibatchListener} on the
         * network).
         */
        public T onSolveFailure(SolveFailurePolicy policy) {
            this.solveFailurePolicy = policy;
            return self();
        }

        /** The smallest step size an adaptive solve may take before it fails. Default 0 (none). */
        public T minStep(double minStep) {
            this.minStep = minStep;
            return self();
        }

        /** How gradients are computed. Default {@link GradientMode#BACKPROP}. */
        public T gradient(GradientMode mode) {
            this.gradientMode = mode;
            return self();
        }

        /**
         * Tolerances of the adjoint's backward solve, when they should differ from the forward ones.
         * Needs {@link GradientMode#ADJOINT} and an adaptive forward solve ({@link #tolerances(double, double)}).
         */
        public T adjointTolerances(double rtol, double atol) {
            this.adjointRtol = rtol;
            this.adjointAtol = atol;
            return self();
        }

        /**
         * The adjoint's adaptive backward solve controls the error of the state and its cotangent only,
         * not of the parameter gradients (a seminorm: Kidger, Chen and Lyons 2021; torchdiffeq's
         * {@code adjoint_options=dict(norm="seminorm")}): fewer backward steps at the same gradient
         * accuracy. Needs {@link GradientMode#ADJOINT} and {@link #tolerances(double, double)}. Default false.
         */
        public T adjointSeminorm(boolean seminorm) {
            this.adjointSeminorm = seminorm;
            return self();
        }

        /**
         * The memory budget of {@link GradientMode#CHECKPOINTED} in bytes: the states of a replayed run
         * of steps (2 x stages state-sized arrays a step) fit in it, and the layer keeps a checkpoint every
         * that many steps. Default 64 MiB.
         */
        public T checkpointMemory(long bytes) {
            this.checkpointMemory = bytes;
            this.checkpointMemorySet = true;
            return self();
        }

        /**
         * A data-controlled field (seed 002, section 5): f reads the layer's input x alongside the state,
         * {@code f(t, [h, x])}, so its first layer has {@code nIn} more inputs. Default false.
         */
        public T dataControlled(boolean dataControlled) {
            this.dataControlled = dataControlled;
            return self();
        }

        /**
         * Adaptive depth (seed 002, section 5): every example integrates for its own depth
         * {@code T(x) = |1 + g(x)|}, g being a small network on the layer's input with these hidden
         * widths (ReLU; its last layer starts at zero, so T starts at 1). Solved exactly on the time
         * span by rescaling time about t0: {@code dh/ds = T(x) f(t0 + T(x)(s - t0), h)}. Not with a
         * Galerkin basis (each example would need its own weights).
         */
        public T adaptiveDepth(int... hiddenWidths) {
            this.depthWidths = hiddenWidths == null ? new int[0] : hiddenWidths.clone();
            return self();
        }

        /**
         * Output the state at these times (increasing, in the time span, ends included) instead of
         * h(t1) alone: the layer's output becomes DL4J's recurrent type {@code [minibatch, d, T]},
         * so that an {@code RnnOutputLayer} or {@code RnnLossLayer} fits whole trajectories with plain
         * {@code fit()}. Every output time is a step's end (unless {@link #interpolateOutputs(boolean)
         * interpolateOutputs}): adaptive solves step exactly to each, a
         * fixed grid spreads its steps over the intervals between them in proportion to their length
         * (at least one each, so times on the grid keep it exactly). The solve ends at the last time;
         * both gradient modes differentiate every output (the adjoint adds dL/dh(t_k) to its state at
         * each t_k on the way back). Feed-forward fields only.
         */
        public T outputTimes(double... times) {
            this.outputTimes = times == null ? null : times.clone();
            return self();
        }

        /**
         * Output the state at each example's own times, given as the last {@code count} columns of its
         * input row: the input is {@code [minibatch, nIn + count]}, the state {@code x[:, 0:nIn]} and
         * example i's times {@code x[i, nIn:]} (any order, repeats allowed, each in the time span), and
         * the output {@code [minibatch, d, count]} holds example i's state at its j-th time in column j.
         * For irregularly sampled series (Chen et al. 2018, section 5): in a {@code ComputationGraph} give
         * the layer two inputs, {@code addLayer("ode", layer, "state", "times")}, which DL4J concatenates;
         * pad an example with fewer observations by repeating one of its times and mask those steps in
         * the labels. One solve serves the minibatch: it outputs the union of the times, which
         * {@link #interpolateOutputs(boolean) interpolateOutputs} reads off the steps at no extra
         * evaluations (recommended; otherwise every distinct time is a step's end). The times are data:
         * their gradient is zero. Feed-forward fields only; not with {@link #outputTimes(double...)}.
         * Default 0: no times in the input.
         */
        public T outputTimesFromInput(int count) {
            this.outputTimesFromInput = count;
            return self();
        }

        /**
         * Read the {@link #outputTimes(double...) output times} before the last off the steps by the
         * solver's dense output (its continuous extension, of order 4 for {@link Solver#DOPRI5} and
         * {@link Solver#TSIT5}) instead of stepping to each: the steps are then the error control's
         * alone, as in torchdiffeq and diffrax, so many output times cost no extra steps. The outputs
         * are within the tolerances' error; the last output is the solve's end. Backprop and the
         * checkpointed gradient differentiate the interpolation exactly; the adjoint solves back from
         * each interpolated state. Needs output times, {@link #tolerances(double, double) adaptive}
         * stepping and such a solver. Default false: every output time is a step's end.
         */
        public T interpolateOutputs(boolean interpolate) {
            this.interpolateOutputs = interpolate;
            return self();
        }

        /**
         * Penalties on the flow, added to the training score and its gradient (each is its weight
         * times a mean over the minibatch, DL4J's convention):
         * {@link FlowRegularizer#finalStateStability} (seed 002's equation 21),
         * {@link FlowRegularizer#kineticEnergy} and {@link FlowRegularizer#jacobianFrobenius}
         * (Finlay et al. 2020). The integrals ride along the training solve as extra state channels
         * (so an adaptive solver's error control sees them too); inference solves without them.
         * At most one of each kind. Default none.
         */
        public T regularizers(FlowRegularizer... regularizers) {
            this.regularizers = regularizers == null ? List.of() : Arrays.asList(regularizers.clone());
            return self();
        }

        /** Integrate from {@code t0} to {@code t1 > t0}. Default [0, 1]. */
        public T timeSpan(double t0, double t1) {
            this.timeStart = t0;
            this.timeEnd = t1;
            return self();
        }

        /** Not supported: an ODE layer's output size equals its input size. */
        @Override
        public T nOut(int nOut) {
            throw new UnsupportedOperationException("ODE layers have as many outputs as inputs; set nIn (or let "
                    + "setInputType infer it) instead of nOut = " + nOut);
        }

        /** Not supported: an ODE layer's output size equals its input size. */
        @Override
        public T nOut(long nOut) {
            return nOut((int) nOut);
        }

        /** Not supported: an ODE layer's output size equals its input size. */
        @Override
        public T units(int units) {
            return nOut(units);
        }

        private void validateStepping(String who) {
            if (solveFailurePolicy == null) {
                throw new IllegalArgumentException(who + ": onSolveFailure must not be null; use "
                        + "SolveFailurePolicy.fail(), retryOnFixedGrid(steps) or skipMinibatch()");
            }
            boolean adaptive = !Double.isNaN(rtol) || !Double.isNaN(atol);
            validateGradient(who, adaptive);
            if (!adaptive) {
                if (solveFailurePolicy instanceof SolveFailurePolicy.RetryOnFixedGrid) {
                    throw new IllegalArgumentException(who + ": onSolveFailure(" + solveFailurePolicy + ") applies "
                            + "to adaptive solves, which can fail; set tolerances(rtol, atol) with one of "
                            + Solver.adaptive());
                }
                if (controller != null) {
                    throw new IllegalArgumentException(who + ": stepSizeController(" + controller + ") applies to "
                            + "adaptive solves; set tolerances(rtol, atol) with one of " + Solver.adaptive());
                }
                if (maxStepsSet || minStep != 0) {
                    throw new IllegalArgumentException(who + ": maxSteps and minStep apply to adaptive solves; set "
                            + "tolerances(rtol, atol) with one of " + Solver.adaptive());
                }
                return;
            }
            if (!solver.tableau().isAdaptive()) {
                throw new IllegalArgumentException(who + ": tolerances need an adaptive solver ("
                        + Solver.adaptive() + "); "
                        + solver + " has no error estimate; use steps(...) instead");
            }
            if (stepsSet) {
                throw new IllegalArgumentException(who + ": steps(" + steps + ") and tolerances(" + rtol + ", "
                        + atol + ") exclude each other: an adaptive solver chooses its own steps");
            }
            try {
                stepping().grid(timeStart, timeEnd);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(who + ": " + e.getMessage(), e);
            }
        }

        private void validateRegularizers(String who) {
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
                if (r instanceof IntegralRegularizer i && i.needsJacobianProbe() && !field.hasJacobianProduct()) {
                    throw new IllegalArgumentException(who + ": regulariser " + r + " needs the field's "
                            + "Jacobian-vector product, which field " + field + " does not define (MLP and conv "
                            + "fields with tanh, sigmoid, ReLU, softplus or identity activations do)");
                }
            }
        }

        private void validateOutputTimes(String who) {
            if (outputTimesFromInput < 0) {
                throw new IllegalArgumentException(who + ": outputTimesFromInput must be >= 0 (0: none), got "
                        + outputTimesFromInput);
            }
            if (outputTimesFromInput > 0 && outputTimes != null) {
                throw new IllegalArgumentException(who + ": outputTimes" + Arrays.toString(outputTimes) + " and "
                        + "outputTimesFromInput(" + outputTimesFromInput + ") exclude each other: the output times "
                        + "are either the layer's or each example's");
            }
            if (outputTimesFromInput > 0 && iDropout != null) {
                throw new IllegalArgumentException(who + ": dropOut(" + iDropout + ") would drop the input's columns "
                        + "of output times too (outputTimesFromInput(" + outputTimesFromInput + ")); put the dropout "
                        + "on the layer before");
            }
            if (outputTimesFromInput > 0 && field.stateRank() != 2) {
                throw new IllegalArgumentException(who + ": outputTimesFromInput gives a recurrent output "
                        + "[minibatch, d, T], which needs a feed-forward field; field " + field + " works on images");
            }
            if (interpolateOutputs) {
                if (outputTimes == null && outputTimesFromInput == 0) {
                    throw new IllegalArgumentException(who + ": interpolateOutputs(true) reads output times between "
                            + "steps, but no outputTimes are set; set outputTimes(...) or outputTimesFromInput(...), "
                            + "or remove it");
                }
                if (!(stepping() instanceof Stepping.Adaptive)) {
                    throw new IllegalArgumentException(who + ": interpolateOutputs(true) needs adaptive stepping "
                            + "(tolerances(rtol, atol)); a fixed grid of " + steps + " steps already ends a step at "
                            + "each output time");
                }
                if (solver.tableau().continuousExtension().isEmpty()) {
                    throw new IllegalArgumentException(who + ": interpolateOutputs(true) needs a solver with dense "
                            + "output (" + Solver.interpolating() + "), got " + solver);
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
                if (!(t >= timeStart && t <= timeEnd)) {
                    throw new IllegalArgumentException(who + ": output time " + k + " = " + t + " is outside the time "
                            + "span [" + timeStart + ", " + timeEnd + "]");
                }
                if (k > 0 && !(t > outputTimes[k - 1])) {
                    throw new IllegalArgumentException(who + ": output times must increase, got " + outputTimes[k - 1]
                            + " then " + t + " at index " + k);
                }
            }
        }

        private void validateGradient(String who, boolean adaptive) {
            if (gradientMode == null) {
                throw new IllegalArgumentException(who + ": gradient mode must not be null; use BACKPROP or ADJOINT");
            }
            if (checkpointMemorySet && gradientMode != GradientMode.CHECKPOINTED) {
                throw new IllegalArgumentException(who + ": checkpointMemory(" + checkpointMemory + ") is the budget "
                        + "of GradientMode.CHECKPOINTED; set gradient(GradientMode.CHECKPOINTED) or remove it");
            }
            if (gradientMode == GradientMode.CHECKPOINTED && checkpointMemory < 1) {
                throw new IllegalArgumentException(who + ": checkpointMemory must be >= 1 byte, got "
                        + checkpointMemory);
            }
            if (adjointSeminorm && (gradientMode != GradientMode.ADJOINT || !adaptive)) {
                throw new IllegalArgumentException(who + ": adjointSeminorm(true) controls the error of the "
                        + "adjoint's adaptive backward solve; set gradient(GradientMode.ADJOINT) and tolerances(rtol, "
                        + "atol) with one of " + Solver.adaptive());
            }
            if (Double.isNaN(adjointRtol) && Double.isNaN(adjointAtol)) {
                return;
            }
            if (gradientMode != GradientMode.ADJOINT) {
                throw new IllegalArgumentException(who + ": adjointTolerances(" + adjointRtol + ", " + adjointAtol
                        + ") apply to the adjoint; set gradient(GradientMode.ADJOINT) or remove them");
            }
            if (!adaptive) {
                throw new IllegalArgumentException(who + ": adjointTolerances(" + adjointRtol + ", " + adjointAtol
                        + ") need an adaptive forward solve; set tolerances(rtol, atol) with one of " + Solver.adaptive());
            }
            try {
                new Tolerances(adjointRtol, adjointAtol);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(who + ": adjoint " + e.getMessage(), e);
            }
        }

        /**
         * Checks a Galerkin basis for this layer's span: adaptive depth excluded (it gives every example
         * its own time, so the weights W(t) would differ per example).
         *
         * @return the parameterisation the basis makes
         */
        protected GalerkinParameterization galerkin(String who, FunctionBasis basis, double higherModeScale) {
            refuseOnCoefficients(who, basis, "constraints", allParamConstraints, weightConstraints, biasConstraints);
            refuseOnCoefficients(who, basis, "weightNoise", weightNoise);
            if (depthWidths != null) {
                throw new IllegalArgumentException(who + ": adaptiveDepth" + Arrays.toString(depthWidths)
                        + " gives every example its own time, so the basis " + basis + " would need weights per "
                        + "example; use adaptive depth without a basis");
            }
            try {
                return new GalerkinParameterization(basis, timeStart, timeEnd, higherModeScale);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(who + ": " + e.getMessage(), e);
            }
        }

        /** The stepping value these options make (validated by {@link #validate(String)}). */
        Stepping stepping() {
            if (Double.isNaN(rtol) && Double.isNaN(atol)) {
                return Stepping.fixed(steps);
            }
            Stepping.Adaptive adaptive = Stepping.adaptive(rtol, atol, maxSteps, minStep);
            return controller == null ? adaptive : adaptive.withController(controller);
        }

        /** The gradient value these options make. */
        GradientComputation gradientComputation() {
            if (gradientMode == GradientMode.CHECKPOINTED) {
                return GradientComputation.checkpointed(checkpointMemory);
            }
            if (gradientMode != GradientMode.ADJOINT) {
                return GradientComputation.backprop();
            }
            GradientComputation.Adjoint adjoint = Double.isNaN(adjointRtol) && Double.isNaN(adjointAtol)
                    ? GradientComputation.adjoint() : GradientComputation.adjoint(adjointRtol, adjointAtol);
            return adjoint.withSeminorm(adjointSeminorm);
        }

        @SuppressWarnings("unchecked")
        protected T self() {
            return (T) this;
        }

        /**
         * Checks the options common to every ODE layer; {@code layerType} names the layer in messages.
         *
         * @return the layer's description for further messages, e.g. {@code OdeLayer 'ode'}
         */
        protected String validate(String layerType) {
            String who = layerType + " '" + (layerName == null ? "(unnamed)" : layerName) + "'";
            if (activationFn != null) {
                throw new IllegalArgumentException(who + ": activation(" + activationFn + ") does not apply to an ODE "
                        + "layer, whose output is the state h(t1); the field has its own, e.g. "
                        + "VectorField.mlp(64).activation(Activation.RELU)");
            }
            if (field == null) {
                throw new IllegalArgumentException(who + ": field is required, e.g. .field(VectorField.mlp(64))");
            }
            if (solver == null) {
                throw new IllegalArgumentException(who + ": solver must not be null");
            }
            if (steps < 1) {
                throw new IllegalArgumentException(who + ": steps must be >= 1, got " + steps);
            }
            if (!Double.isFinite(timeStart) || !Double.isFinite(timeEnd)) {
                throw new IllegalArgumentException(who + ": time span must be finite, got [" + timeStart + ", "
                        + timeEnd + "]");
            }
            if (!(timeEnd > timeStart)) {
                throw new IllegalArgumentException(who + ": time span must have t1 > t0, got [" + timeStart + ", "
                        + timeEnd + "]");
            }
            if (nIn < 0) {
                throw new IllegalArgumentException(who + ": nIn must be >= 1 (or unset), got " + nIn);
            }
            validateStepping(who);
            validateOutputTimes(who);
            validateRegularizers(who);
            if (depthWidths != null && field.stateRank() != 2) {
                throw new IllegalArgumentException(who + ": adaptiveDepth" + Arrays.toString(depthWidths) + " needs "
                        + "a feed-forward field (its depth network reads vectors); field " + field + " reads images");
            }
            if (depthWidths != null) {
                try {
                    depthNetwork(depthWidths);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(who + ": adaptiveDepth" + Arrays.toString(depthWidths) + ": "
                            + e.getMessage(), e);
                }
            }
            return who;
        }
    }
}
