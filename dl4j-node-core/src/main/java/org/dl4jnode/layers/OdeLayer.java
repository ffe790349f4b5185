package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.samediff.runtime.DiscreteBackprop;
import org.dl4jnode.samediff.runtime.FieldFunction;
import org.dl4jnode.samediff.solve.AdaptiveGrid;
import org.dl4jnode.samediff.solve.ArrayAlgebra;
import org.dl4jnode.samediff.solve.ErrorNorm;
import org.dl4jnode.samediff.solve.IntegrationException;
import org.dl4jnode.samediff.solve.RungeKutta;
import org.dl4jnode.samediff.solve.Step;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Runtime of the ODE layers ({@link org.dl4jnode.conf.OdeLayer} and its relatives).
 *
 * <p>The forward pass steps the configured Runge-Kutta method in Java over a {@link FieldFunction}
 * (the field as a SameDiff graph), on a fixed grid or with adaptive steps; in training it records
 * every (accepted) step. The backward pass is the
 * exact reverse of those steps ({@link DiscreteBackprop}), built from the field's vector-Jacobian
 * products. All intermediate arrays live outside DL4J's workspaces; only the layer's output and
 * input gradient are handed over to them.
 */
public class OdeLayer extends AbstractLayer<BaseOdeLayer> {

    private static final long serialVersionUID = 1L;

    private INDArray paramsFlat;
    private INDArray gradientsFlat;
    private Map<String, INDArray> params;
    private Map<String, INDArray> gradientViews;

    private transient FieldFunction field;
    private transient List<Step<INDArray>> record;
    private transient INDArray recordedInput;
    private long lastForwardEvaluations;
    private long lastBackwardEvaluations;

    public OdeLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Number of evaluations of the field in the last forward pass. */
    public long lastForwardEvaluations() {
        return lastForwardEvaluations;
    }

    /** Number of vector-Jacobian products of the field in the last backward pass. */
    public long lastBackwardEvaluations() {
        return lastBackwardEvaluations;
    }

    /**
     * The field's parameters at depth t, by the field's keys ({@code W0}, {@code b0}, ...), shaped as
     * the field declares them: for a {@link org.dl4jnode.conf.GalerkinOdeLayer} the reconstructed
     * {@code W(t) = sum_j C_j psi_j(t)}, for an {@link org.dl4jnode.conf.OdeLayer} its (constant)
     * weights. Copies; evaluated with the same graph ops as the solver uses.
     */
    public Map<String, INDArray> weightsAt(double t) {
        FieldFunction f = field();
        f.bind(params);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return f.fieldParameters(t);
        }
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        validateInput();
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray out;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            out = solve(training);
        }
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, out);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        Gradient gradient = new DefaultGradient(gradientsFlat);
        INDArray inputGradient;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (record == null || recordedInput != input) {
                solve(true);
            }
            FieldFunction f = field();
            long before = f.vjpEvaluations();
            DiscreteBackprop.Gradients g = DiscreteBackprop.backward(f, layerConf().getSolver().tableau(), record,
                    epsilon.detach().castTo(dataType));
            lastBackwardEvaluations = f.vjpEvaluations() - before;
            for (Map.Entry<String, INDArray> e : gradientViews.entrySet()) {
                e.getValue().assign(g.params().get(e.getKey()));
                gradient.setGradientFor(e.getKey(), e.getValue());
            }
            inputGradient = g.initialState();
            record = null;
            recordedInput = null;
        }
        return new Pair<>(gradient, workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, inputGradient));
    }

    private INDArray solve(boolean training) {
        BaseOdeLayer conf = layerConf();
        FieldFunction f = field();
        f.bind(params);
        INDArray y0 = input.detach().castTo(dataType);
        List<Step<INDArray>> steps = training ? new ArrayList<>() : null;
        long before = f.evaluations();
        RungeKutta<INDArray> method = new RungeKutta<>(conf.getSolver().tableau(), ArrayAlgebra.INSTANCE);
        INDArray out;
        if (conf.isAdaptive()) {
            AdaptiveGrid grid = conf.adaptiveGrid();
            try {
                out = grid.integrate(method, f::evaluate, y0, ErrorNorm.rms(grid.tolerances()),
                        steps == null ? null : steps::add);
            } catch (IntegrationException e) {
                throw new IllegalStateException(conf.describe() + " (index " + index + "), " + conf.getSolver()
                        + " with rtol = " + conf.getRtol() + ", atol = " + conf.getAtol() + " on [" + conf.getTimeStart()
                        + ", " + conf.getTimeEnd() + "]: " + e.getMessage() + ", NFE so far "
                        + (f.evaluations() - before), e);
            }
        } else {
            out = conf.grid().integrate(method, f::evaluate, y0, steps == null ? null : steps::add);
        }
        lastForwardEvaluations = f.evaluations() - before;
        if (out.isNaN().any() || out.isInfinite().any()) {
            throw new IllegalStateException(conf.describe() + " (index " + index + "): the ODE state became "
                    + "NaN or infinite by t1 = " + conf.getTimeEnd() + " (" + conf.getSteps()
                    + " steps of " + conf.getSolver() + "); the field may be too steep for this step size");
        }
        record = steps;
        recordedInput = training ? input : null;
        return out;
    }

    private FieldFunction field() {
        if (field == null) {
            BaseOdeLayer conf = layerConf();
            field = new FieldFunction(conf.getField(), conf.parameterization(), new long[] {conf.getNIn()}, dataType);
        }
        return field;
    }

    private void validateInput() {
        long nIn = layerConf().getNIn();
        if (input.rank() != 2 || input.size(1) != nIn) {
            throw new DL4JInvalidInputException(layerConf().describe() + " (index " + index + "): expected input "
                    + "[minibatch, " + nIn + "], got " + Arrays.toString(input.shape()));
        }
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        double score = 0;
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            List<Regularization> regs = layerConf().getRegularizationByParam(e.getKey());
            if (regs != null) {
                for (Regularization r : regs) {
                    score += r.score(e.getValue(), getIterationCount(), getEpochCount());
                }
            }
        }
        return score;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
        // weight noise is not supported by ODE layers; nothing to clear
    }

    @Override
    public void clear() {
        super.clear();
        record = null;
        recordedInput = null;
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    @Override
    public INDArray params() {
        return paramsFlat;
    }

    @Override
    public long numParams() {
        return paramsFlat == null ? 0 : paramsFlat.length();
    }

    @Override
    public INDArray getParam(String key) {
        return params.get(key);
    }

    @Override
    public void setParam(String key, INDArray value) {
        INDArray current = params.get(key);
        if (current == null) {
            throw new IllegalArgumentException(layerConf().describe() + ": no parameter '" + key + "'; parameters are "
                    + params.keySet());
        }
        if (!Arrays.equals(current.shape(), value.shape())) {
            throw new IllegalArgumentException(layerConf().describe() + ": parameter '" + key + "' has shape "
                    + Arrays.toString(current.shape()) + ", cannot set an array of shape "
                    + Arrays.toString(value.shape()));
        }
        current.assign(value);
    }

    @Override
    public void setParams(INDArray params) {
        if (params == paramsFlat) {
            return;
        }
        if (params == null || params.length() != numParams()) {
            throw new IllegalArgumentException(layerConf().describe() + ": expected " + numParams()
                    + " parameters, got " + (params == null ? "null" : params.length()));
        }
        paramsFlat.assign(params.reshape(paramsFlat.shape()));
    }

    @Override
    public void setParamsViewArray(INDArray params) {
        this.paramsFlat = params;
    }

    @Override
    public INDArray getGradientsViewArray() {
        return gradientsFlat;
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray gradients) {
        this.gradientsFlat = gradients;
        this.gradientViews = layerConf().initializer().getGradientsFromFlattened(conf, gradients);
    }

    @Override
    public void setParamTable(Map<String, INDArray> paramTable) {
        if (params == null) {
            params = paramTable;
        } else {
            paramTable.forEach(this::setParam);
        }
    }

    @Override
    public Map<String, INDArray> paramTable() {
        return params;
    }

    @Override
    public Map<String, INDArray> paramTable(boolean backpropParamsOnly) {
        return params;
    }
}
