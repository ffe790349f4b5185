package org.dl4jnode.layers;

import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.samediff.regularizer.EndpointRegularizer;
import org.dl4jnode.samediff.regularizer.IntegralRegularizer;
import org.dl4jnode.samediff.runtime.FieldFunction;
import org.dl4jnode.samediff.runtime.Gradients;
import org.dl4jnode.samediff.system.OdeSystem;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer's flow regularisers around its training solve: the solve's state is the ODE state with one
 * quadrature channel per integral regulariser after it ({@link OdeSystem#integrals()}), and the
 * right-hand side reads a Jacobian probe after the layer input when an integrand needs one. This
 * class makes that state and those constants, reads the penalties off the final state, evaluates the
 * endpoint regularisers, and turns cotangents of the ODE state into cotangents of the solve's state
 * and back. With no regularisers every step is the identity.
 */
final class FlowPenalties {

    private final OdeSystem system;
    private final List<IntegralRegularizer> integrals;
    private final List<EndpointRegularizer> endpoints;
    private final IntegralRegularizer prober;
    private final long d;
    private final Map<String, Double> values = new LinkedHashMap<>();
    /** The endpoint regularisers' vector-Jacobian products at h(t1), for the backward pass; null: none. */
    private FieldFunction.Vjp endpointVjp;

    FlowPenalties(BaseOdeLayer conf) {
        this.system = conf.trainingSystem();
        this.integrals = system.integrals();
        this.endpoints = conf.endpointRegularizers();
        this.prober = integrals.stream().filter(IntegralRegularizer::needsJacobianProbe).findFirst().orElse(null);
        this.d = system.stateSize();
    }

    /** The right-hand side of the training solve. */
    OdeSystem system() {
        return system;
    }

    /** The solve's state at t0: h(t0) with zero quadratures. */
    INDArray initialState(INDArray h0) {
        return integrals.isEmpty() ? h0 : ChannelAxis.withZeros(h0, integrals.size());
    }

    /**
     * The constants the training field reads, or null when it reads none: the layer input x when the
     * system reads it, then the probe of solve {@code solveIndex}, shaped like {@code h0}.
     */
    INDArray constants(INDArray x, INDArray h0, long solveIndex) {
        if (prober == null) {
            return system.layerInputSize() > 0 ? x : null;
        }
        INDArray probe = prober.jacobianProbe(h0.shape(), h0.dataType(), solveIndex);
        return system.layerInputSize() > 0 ? Nd4j.concat(1, x, probe) : probe;
    }

    /** The ODE state within a solve state (a 'c'-ordered copy when quadratures ride along). */
    INDArray odeState(INDArray y) {
        return integrals.isEmpty() ? y : channels(y, 0, d);
    }

    /**
     * Reads the penalties off the training solve's final state {@code y1} at {@code t1}, and evaluates
     * the endpoint regularisers there with {@code f}, bound as the solve was.
     */
    void measure(FieldFunction f, double t1, INDArray y1) {
        clear();
        long examples = y1.size(0);
        for (int i = 0; i < integrals.size(); i++) {
            double integral = channels(y1, d + i, d + i + 1).sumNumber().doubleValue();
            values.put(integrals.get(i).name(), integrals.get(i).weight() * integral / examples);
        }
        if (endpoints.isEmpty()) {
            return;
        }
        INDArray rhs = odeState(f.evaluate(t1, y1));
        INDArray cotangent = Nd4j.zeros(rhs.dataType(), rhs.shape());
        for (EndpointRegularizer r : endpoints) {
            values.put(r.name(), r.penalty(rhs));
            cotangent.addi(r.cotangent(rhs));
        }
        // DL4J's gradients are sums over the minibatch (its updater divides them): so are the penalties'
        endpointVjp = f.vjp(t1, y1, initialState(cotangent.muli(examples)));
    }

    /** Forgets the last penalties: an inference pass computes none. */
    void clear() {
        values.clear();
        endpointVjp = null;
    }

    /** The last training solve's penalties by regulariser name, each weighted. */
    Map<String, Double> values() {
        return Collections.unmodifiableMap(values);
    }

    /** The sum of the last training solve's penalties (0 with none). */
    double total() {
        return values.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /**
     * The cotangents of the solve's outputs from those of the ODE states: the endpoint terms' added to
     * the last, each quadrature's weight in its channel of the last (the penalty reads only the final
     * quadratures; DL4J's gradients are sums over the minibatch, so the mean's 1 / minibatch is not
     * applied), zeros before. The same list without regularisers.
     */
    List<INDArray> solveStateBars(List<INDArray> odeBars) {
        List<INDArray> out = new ArrayList<>(odeBars.size());
        for (int k = 0; k < odeBars.size(); k++) {
            INDArray whole = initialState(odeBars.get(k));
            if (k == odeBars.size() - 1) {
                for (int i = 0; i < integrals.size(); i++) {
                    ChannelAxis.range(whole, d + i, d + i + 1).assign(integrals.get(i).weight());
                }
                if (endpointVjp != null) {
                    // out of place: without quadratures the bar is the caller's array
                    whole = whole.add(endpointVjp.state());
                }
            }
            out.add(whole);
        }
        return out;
    }

    /**
     * The gradients of the backward pass with the endpoint terms' parameter and input parts added:
     * the initial state's cotangent of the ODE state alone, and the input's of the layer input alone
     * (null when the system does not read it; the probe's part is dropped).
     */
    Gradients complete(Gradients g) {
        Map<String, INDArray> params = new LinkedHashMap<>(g.params());
        INDArray constants = g.input();
        if (endpointVjp != null) {
            endpointVjp.params().forEach((key, value) -> params.put(key, params.get(key).add(value)));
            constants = constants == null ? endpointVjp.input() : constants.add(endpointVjp.input());
        }
        INDArray input = null;
        if (system.layerInputSize() > 0) {
            input = prober == null ? constants : channels(constants, 0, system.layerInputSize());
        }
        return new Gradients(odeState(g.initialState()), params, input);
    }

    /** Channels {@code [from, to)} of {@code a}, a 'c'-ordered copy. */
    private static INDArray channels(INDArray a, long from, long to) {
        return ChannelAxis.range(a, from, to).dup('c');
    }
}
