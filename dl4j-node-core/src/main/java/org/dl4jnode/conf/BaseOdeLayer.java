package org.dl4jnode.conf;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.dl4jnode.params.OdeParamInitializer;
import org.dl4jnode.samediff.field.FieldDefinition;
import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.solve.FixedGrid;
import org.nd4j.shade.jackson.annotation.JsonIgnore;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Configuration shared by the ODE layers: a vector field f(t, h), a solver and a time span. The
 * layer maps its input h(t0) to h(t1), the solution of dh/dt = f(t, h).
 *
 * <p>Subclasses decide how the field's parameters are stored ({@link #parameterization()}). Weight
 * init, bias init, updaters and regularisation come from the ordinary DL4J options, per layer or
 * global; the field's weights count as weights and its biases as biases.
 */
public abstract class BaseOdeLayer extends FeedForwardLayer {

    private static final long serialVersionUID = 1L;

    protected FieldDefinition field;
    protected Solver solver;
    protected int steps;
    protected double timeStart;
    protected double timeEnd;

    /** For JSON. */
    protected BaseOdeLayer() {
    }

    protected BaseOdeLayer(Builder<?> builder) {
        super(builder);
        this.field = builder.field;
        this.solver = builder.solver;
        this.steps = builder.steps;
        this.timeStart = builder.timeStart;
        this.timeEnd = builder.timeEnd;
        this.nOut = this.nIn;
    }

    /** How the field's parameters are represented by this layer's trainable arrays. */
    @JsonIgnore
    public abstract Parameterization parameterization();

    /** The trainable arrays of this layer for its current {@code nIn}, in parameter-vector order. */
    @JsonIgnore
    public List<ParamSpec> trainableParams() {
        if (nIn <= 0) {
            throw new DL4JInvalidConfigException(describe() + ": nIn is not set; set it with .nIn(...) or let "
                    + "setInputType(...) infer it");
        }
        return parameterization().trainable(field.parameters(nIn));
    }

    /** The time grid of a fixed-step solve. */
    @JsonIgnore
    public FixedGrid grid() {
        return new FixedGrid(timeStart, timeEnd, steps);
    }

    /** A short description for messages: type and name. */
    public String describe() {
        return getClass().getSimpleName() + " '" + (layerName == null ? "(unnamed)" : layerName) + "'";
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        org.dl4jnode.layers.OdeLayer layer = createRuntime(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    /** The runtime layer for this configuration. */
    protected abstract org.dl4jnode.layers.OdeLayer createRuntime(NeuralNetConfiguration conf, DataType dataType);

    @Override
    public ParamInitializer initializer() {
        return OdeParamInitializer.getInstance();
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        long size = stateSize(inputType);
        if (nIn > 0 && !override && nIn != size) {
            throw new DL4JInvalidConfigException(describe() + ": nIn = " + nIn + " but the input type " + inputType
                    + " has " + size + " features");
        }
        if (nIn <= 0 || override) {
            nIn = size;
        }
        nOut = nIn;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(stateSize(inputType));
    }

    private long stateSize(InputType inputType) {
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
        long numParams = initializer().numParams(this);
        long updaterState = getIUpdater() == null ? 0 : getIUpdater().stateSize(numParams);
        int stages = solver.tableau().stages();
        // training keeps every stage state of every step for the backward pass
        long perExample = (long) steps * stages * out.arrayElementsPerExample();
        return new LayerMemoryReport.Builder(layerName, getClass(), inputType, out)
                .standardMemory(numParams, updaterState)
                .workingMemory(0, out.arrayElementsPerExample() * 2, 0, perExample)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
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

    public int getSteps() {
        return steps;
    }

    public void setSteps(int steps) {
        this.steps = steps;
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

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass() || !super.equals(o)) {
            return false;
        }
        BaseOdeLayer that = (BaseOdeLayer) o;
        return steps == that.steps && Double.compare(timeStart, that.timeStart) == 0
                && Double.compare(timeEnd, that.timeEnd) == 0 && Objects.equals(field, that.field)
                && solver == that.solver;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), field, solver, steps, timeStart, timeEnd);
    }

    @Override
    public String toString() {
        return describe() + "{" + options() + "}";
    }

    /** The options for {@link #toString()}; subclasses append theirs. */
    protected String options() {
        return "nIn=" + nIn + ", field=" + field + ", solver=" + solver + ", steps=" + steps + ", timeSpan=["
                + timeStart + ", " + timeEnd + "]";
    }

    /**
     * Builder options shared by the ODE layers. Defaults: {@link Solver#RK4}, 4 steps, time span
     * [0, 1]; the field is required.
     */
    public abstract static class Builder<T extends Builder<T>> extends FeedForwardLayer.Builder<T> {

        protected FieldDefinition field;
        protected Solver solver = Solver.RK4;
        protected int steps = 4;
        protected double timeStart = 0.0;
        protected double timeEnd = 1.0;

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

        /** Number of equal steps over the time span. Default 4. */
        public T steps(int steps) {
            this.steps = steps;
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
            return who;
        }
    }
}
