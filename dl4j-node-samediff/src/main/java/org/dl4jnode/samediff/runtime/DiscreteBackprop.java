package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.solve.Step;
import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The exact gradient of a sequence of explicit Runge-Kutta steps (reverse-mode through the solver).
 *
 * <p>For a step {@code y' = y + dt sum_i b_i k_i}, {@code k_i = f(t + c_i dt, Y_i)},
 * {@code Y_i = y + dt sum_{j<i} a_ij k_j}, and the cotangent {@code ybar'} of y', stages are
 * visited last to first:
 * {@code kbar_i = dt (b_i ybar' + sum_{j>i} a_ji Ybar_j)}, {@code Ybar_i = kbar_i^T df/dY (t_i, Y_i)},
 * {@code thetabar += kbar_i^T df/dtheta} (and likewise {@code xbar} for the layer input x of a field
 * that reads it); then {@code ybar = ybar' + sum_i Ybar_i}. Stages whose {@code kbar} is identically
 * zero (the unused last stage of a first-same-as-last pair) cost nothing.
 * A first slope reused from the previous step (first-same-as-last) is the same function of the same
 * point, f(t_{n+1}, y_{n+1}), so differentiating it as step n+1's own first stage is exact.
 */
public final class DiscreteBackprop {

    private DiscreteBackprop() {
    }

    /**
     * Backpropagates through {@code steps} (as taken, first to last).
     *
     * @param f         the field the steps were taken with (same parameters)
     * @param tableau   the method the steps were taken with
     * @param steps     the recorded steps
     * @param outputBar cotangent of the final state
     * @return the cotangent of the initial state and the parameter gradients (fresh arrays)
     */
    public static Gradients backward(FieldFunction f, ButcherTableau tableau, List<Step<INDArray>> steps,
                                     INDArray outputBar) {
        Map<String, INDArray> paramBar = new LinkedHashMap<>();
        INDArray yBar = outputBar.dup();
        INDArray inputBar = null;
        int s = tableau.stages();
        for (int n = steps.size() - 1; n >= 0; n--) {
            Step<INDArray> step = steps.get(n);
            double dt = step.dt();
            List<INDArray> stageBar = new ArrayList<>(s);
            for (int i = 0; i < s; i++) {
                stageBar.add(null);
            }
            INDArray stepBar = yBar.dup();
            for (int i = s - 1; i >= 0; i--) {
                INDArray kBar = null;
                if (tableau.b(i) != 0) {
                    kBar = yBar.mul(dt * tableau.b(i));
                }
                for (int j = i + 1; j < s; j++) {
                    double aji = tableau.a(j, i);
                    if (aji != 0 && stageBar.get(j) != null) {
                        INDArray term = stageBar.get(j).mul(dt * aji);
                        kBar = kBar == null ? term : kBar.addi(term);
                    }
                }
                if (kBar == null) {
                    continue;
                }
                FieldFunction.Vjp vjp = f.vjp(step.t() + tableau.c(i) * dt, step.stageStates().get(i), kBar);
                stageBar.set(i, vjp.state());
                stepBar.addi(vjp.state());
                accumulate(paramBar, vjp.params());
                if (vjp.input() != null) {
                    inputBar = inputBar == null ? vjp.input().dup() : inputBar.addi(vjp.input());
                }
            }
            yBar = stepBar;
        }
        for (ParamSpec p : f.trainable()) {
            paramBar.computeIfAbsent(p.key(), k -> Nd4j.zeros(outputBar.dataType(), p.shape()));
        }
        if (inputBar == null && f.readsInput()) {
            inputBar = Nd4j.zeros(outputBar.dataType(), f.boundInputShape());
        }
        return new Gradients(yBar, paramBar, inputBar);
    }

    private static void accumulate(Map<String, INDArray> into, Map<String, INDArray> add) {
        for (Map.Entry<String, INDArray> e : add.entrySet()) {
            INDArray current = into.get(e.getKey());
            if (current == null) {
                into.put(e.getKey(), e.getValue().dup());
            } else {
                current.addi(e.getValue());
            }
        }
    }
}
