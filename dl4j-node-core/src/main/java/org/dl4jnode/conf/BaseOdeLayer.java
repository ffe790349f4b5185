package org.dl4jnode.conf;

import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.dl4jnode.params.OdeParamInitializer;
import org.dl4jnode.samediff.basis.FunctionBasis;
import org.dl4jnode.samediff.field.MlpField;
import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.regularizer.EndpointRegularizer;
import org.dl4jnode.samediff.regularizer.FlowRegularizer;
import org.dl4jnode.samediff.regularizer.IntegralRegularizer;
import org.dl4jnode.samediff.solve.Tolerances;
import org.dl4jnode.samediff.system.OdeSystem;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonIgnore;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Configuration shared by the ODE layers: a vector field f(t, h), a solver and a time span. The
 * layer maps its input h(t0) to h(t1), the solution of dh/dt = f(t, h). The options themselves, as the
 * JSON holds them, are {@link OdeLayerProperties}'s; this class says what they mean to DL4J (input
 * types, memory, instantiation) and to the solve (the {@link OdeSystem}, the trainable arrays).
 *
 * <p>Subclasses decide how the field's parameters are stored ({@link #parameterization()}). Weight
 * init, bias init, updaters, gradient normalisation, regularisation, constraints, dropout (on the
 * layer's input) and weight noise come from the ordinary DL4J options, per layer or global; the
 * field's weights count as weights and its biases as biases. Refused, with a message naming the
 * layer: an {@code activation} on the layer's builder (the field has its own), a network data type
 * other than FLOAT or DOUBLE (at {@code init()}), and constraints or weight noise on Galerkin
 * coefficients.
 */
public abstract class BaseOdeLayer extends OdeLayerProperties {

    private static final long serialVersionUID = 1L;

    /** For JSON. */
    protected BaseOdeLayer() {
    }

    protected BaseOdeLayer(Builder<?> builder) {
        super(builder);
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
    static MlpField depthNetwork(int[] widths) {
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
        long size = OdeInputTypes.stateInputSize(this, inputType);
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
        return OdeInputTypes.outputType(this, inputType);
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return OdeMemoryReport.of(this, inputType);
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
            OdeLayerValidation.refuseOnCoefficients(describe(), galerkinBasis(), "constraints", constraints);
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
            OdeLayerValidation.refuseOnCoefficients(describe(), galerkinBasis(), "weightNoise", weightNoise);
        }
        super.setWeightNoise(weightNoise);
    }

    /** The basis the layer's weights W(t) are expanded in; null when it stores its weights as they are. */
    @JsonIgnore
    protected FunctionBasis galerkinBasis() {
        return null;
    }

    /**
     * Builder options shared by the ODE layers (each documented on its setter). Defaults:
     * {@link Solver#RK4}, {@value #DEFAULT_STEPS} steps, time span [0, 1]; the field is required.
     * {@link #tolerances(double, double)} switches an embedded pair ({@link Solver#DOPRI5},
     * {@link Solver#TSIT5}, {@link Solver#DOPRI8}, {@link Solver#BOSH3}) from the fixed grid to
     * adaptive steps. Every option is checked at {@code build()}, with a message naming the layer.
     */
    public abstract static class Builder<T extends Builder<T>> extends AbstractOdeLayerBuilder<T> {

        /** Default budget of accepted steps of an adaptive solve. */
        public static final int DEFAULT_MAX_STEPS = StepOptions.DEFAULT_MAX_STEPS;
        /** Default number of equal steps over the time span. */
        public static final int DEFAULT_STEPS = StepOptions.DEFAULT_STEPS;
    }
}
