package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.field.FieldDefinition;
import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.ParameterSource;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.system.OdeSystem;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SameDiff definition of a right-hand side, built once: f(t, h[, x]) with its parameters as
 * variables, the loss {@code <f, a>} and SameDiff's gradient graph of it, whose gradients are the
 * vector-Jacobian products. Holds the names the evaluation reads; evaluates nothing itself but
 * through SameDiff's session ({@link #sessionOutput}, {@link #sessionGradients}, the reference
 * the compiled replay is tested against) and the inspection of the field's parameters at a time.
 */
final class FieldGraph {

    static final String TIME = "ode_t";
    static final String STATE = "ode_h";
    static final String COTANGENT = "ode_a";
    static final String INPUT = "ode_x";

    final SameDiff sd;
    final List<ParamSpec> trainable;
    final long[] stateFeatureShape;
    final DataType dataType;
    final String output;
    final List<String> gradientTargets;
    /** Field parameter key -> the graph variable holding its value at the evaluation time. */
    private final Map<String, String> fieldParameters = new HashMap<>();
    private final List<String> fieldParameterOrder;
    final boolean readsInput;
    final long[] inputShape;
    final SameDiff gradientGraph;
    /** Gradient target (state, parameter key, input) -> its gradient variable in the gradient graph; null: none. */
    final Map<String, String> gradientOf = new HashMap<>();
    /** The gradient of the loss {@code sum(f * a)} with respect to f: the cotangent a itself; null if none. */
    final String outputGradient;

    /** See {@link FieldFunction#FieldFunction(OdeSystem, Parameterization, long[], DataType)}. */
    FieldGraph(OdeSystem system, Parameterization parameterization, long[] stateFeatureShape, DataType dataType) {
        FieldDefinition field = system.field();
        if (stateFeatureShape.length + 1 != field.stateRank()) {
            throw new IllegalArgumentException("field " + field + " takes states of rank " + field.stateRank()
                    + " (minibatch included), got feature shape " + Arrays.toString(stateFeatureShape));
        }
        if (stateFeatureShape[0] != system.solveStateSize()) {
            throw new IllegalArgumentException(system + " has a state of " + system.solveStateSize()
                    + " features, got feature shape " + Arrays.toString(stateFeatureShape));
        }
        if (system.hasAdaptiveDepth() && parameterization != Parameterization.DIRECT) {
            throw new IllegalArgumentException("adaptive depth gives every example its own time, so a depth-varying "
                    + "parameterisation (" + parameterization + ") would need weights per example; use direct parameters");
        }
        this.stateFeatureShape = stateFeatureShape.clone();
        this.dataType = dataType;
        this.readsInput = system.readsInput();
        List<ParamSpec> declared = system.parameters();
        this.fieldParameterOrder = declared.stream().map(ParamSpec::key).toList();
        this.trainable = List.copyOf(parameterization.trainable(declared));
        this.sd = SameDiff.create();
        // views into DL4J's flat parameter vector must be accepted as they are
        sd.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), false);
        // SameDiff's session recycles the arrays it allocated through a cache keyed by shape; with it on, an
        // array already handed to the solver (an f value) can be reused as scratch space by a later call of
        // the same shape and change under the solver's feet. Its gradient function runs uncached already.
        sd.setEnableCache(false);

        SDVariable t = sd.placeHolder(TIME, dataType);
        SDVariable h = sd.placeHolder(STATE, dataType, batchShape(stateFeatureShape[0]));
        SDVariable a = sd.placeHolder(COTANGENT, dataType, batchShape(stateFeatureShape[0]));
        this.inputShape = readsInput ? batchShape(system.inputSize()) : null;
        SDVariable x = readsInput ? sd.placeHolder(INPUT, dataType, inputShape) : null;
        Map<String, SDVariable> vars = new LinkedHashMap<>();
        for (ParamSpec p : trainable) {
            vars.put(p.key(), sd.var(p.key(), dataType, p.shape()));
        }
        ParameterSource source = parameterization.source(sd, vars);
        SDVariable f = system.define(sd, t, h, x, (key, time) -> {
            SDVariable value = source.get(key, time);
            fieldParameters.putIfAbsent(key, value.name());
            return value;
        });
        this.output = f.name();
        // <f, a> summed: its gradient is a^T df/dh and a^T df/dtheta, the vector-Jacobian products
        SDVariable inner = f.mul(a).sum();
        sd.setLossVariables(inner);

        this.gradientTargets = new ArrayList<>();
        gradientTargets.add(STATE);
        trainable.forEach(p -> gradientTargets.add(p.key()));
        if (readsInput) {
            gradientTargets.add(INPUT);
        }
        // placeholders get gradients only when asked for by name
        String[] placeholders = readsInput ? new String[] {STATE, INPUT} : new String[] {STATE};
        withoutStdout(() -> sd.createGradFunction(placeholders));
        this.gradientGraph = sd.getFunction("grad");
        for (String target : gradientTargets) {
            SDVariable g = sd.getVariable(target).getGradient();
            gradientOf.put(target, g == null ? null : g.name());
        }
        SDVariable fGrad = f.getGradient();
        this.outputGradient = fGrad == null ? null : fGrad.name();
    }

    /** {@code [-1, features, spatial...]}: the state's shape with another feature count. */
    private long[] batchShape(long features) {
        long[] shape = new long[stateFeatureShape.length + 1];
        shape[0] = -1;
        System.arraycopy(stateFeatureShape, 0, shape, 1, stateFeatureShape.length);
        shape[1] = features;
        return shape;
    }

    /**
     * SameDiff 1.0.0-M2.1 prints a line per differentiated op to System.out while it builds a
     * gradient graph; a library must not, so that one-time build runs with stdout muted.
     */
    private static synchronized void withoutStdout(Runnable action) {
        PrintStream original = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            action.run();
        } finally {
            System.setOut(original);
        }
    }

    /** Associates a binding's parameter arrays with the graph's variables, for a session run. */
    private void associate(Binding binding) {
        binding.params().forEach((key, array) -> sd.associateArrayWithVariable(array, key));
    }

    /** f(t, h) through SameDiff's session. */
    INDArray sessionOutput(double t, INDArray h, Binding binding) {
        associate(binding);
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(TIME, Nd4j.scalar(dataType, t));
        ph.put(STATE, h);
        if (readsInput) {
            ph.put(INPUT, binding.requireInput());
        }
        return sd.output(ph, output).get(output);
    }

    /** The gradients of {@code <f, a>} at (t, h) through SameDiff's session, by target. */
    Map<String, INDArray> sessionGradients(double t, INDArray h, INDArray a, Binding binding) {
        associate(binding);
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(TIME, Nd4j.scalar(dataType, t));
        ph.put(STATE, h);
        ph.put(COTANGENT, a);
        if (readsInput) {
            ph.put(INPUT, binding.requireInput());
        }
        return sd.calculateGradients(ph, gradientTargets);
    }

    /**
     * The field's parameters at time t, by the field's keys in declaration order, as the solver sees them: for a
     * depth-varying parameterisation the reconstructed W(t), for a direct one the bound arrays.
     */
    Map<String, INDArray> fieldParameters(double t, Binding binding) {
        associate(binding);
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(TIME, Nd4j.scalar(dataType, t));
        Map<String, INDArray> values = sd.output(ph, new ArrayList<>(fieldParameters.values()));
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String key : fieldParameterOrder) {
            out.put(key, values.get(fieldParameters.get(key)).dup());
        }
        return out;
    }

}
