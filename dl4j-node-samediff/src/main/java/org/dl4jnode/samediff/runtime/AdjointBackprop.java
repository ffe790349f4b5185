package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.solve.ErrorNorm;
import org.dl4jnode.samediff.solve.RightHandSide;
import org.dl4jnode.samediff.solve.RungeKutta;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.nd4j.common.util.ArrayUtil;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradients of an ODE solve by the continuous adjoint method (Chen et al. 2018; seed 003, eqs. 5-9).
 *
 * <p>The augmented state {@code z = [h, a, thetaBar]} is integrated from t1 back to t0:
 * <pre>
 *   dh/dt        =  f(t, h)                 from h(t1), the forward solve's output,
 *   da/dt        = -a^T df/dh (t, h)        from a(t1) = dL/dh(t1),
 *   dthetaBar/dt = -a^T df/dtheta (t, h)    from 0,
 * </pre>
 * which ends at {@code a(t0) = dL/dh(t0)} and {@code thetaBar(t0) = dL/dtheta}. The layer input x of
 * a field that reads it (data control, adaptive depth) is a constant like theta and gets an
 * {@code xBar} alongside thetaBar. The state h is
 * recomputed backwards rather than stored, so memory is a few copies of z, whatever the number of
 * steps. For depth-varying weights (Galerkin coefficients) the products with respect to the
 * coefficients come through the reconstruction op, giving the spectral gradients
 * {@code dL/dC_j = -int a^T df/dW psi_j(t) dt}.
 *
 * <p>The result is the gradient of the exact flow, approximated by the backward solve; it differs from
 * the exact gradient of the discrete forward solve ({@link DiscreteBackprop}) by the error of both
 * solves, so it converges to it as steps shrink or tolerances tighten.
 */
public final class AdjointBackprop {

    private AdjointBackprop() {
    }

    /**
     * @param f          the field the forward solve used (same parameters)
     * @param method     the Runge-Kutta method of the backward solve
     * @param backwards  the backward solve's time grid, from t1 to t0
     * @param norm       error norm of an adaptive backward solve over the flat augmented state (ignored
     *                   by a fixed grid)
     * @param finalState h(t1), the forward solve's output
     * @param finalBar   dL/dh(t1)
     * @return dL/dh(t0), dL/dtheta and, when f reads the layer input, dL/dx through f (fresh arrays)
     * @throws org.dl4jnode.samediff.solve.IntegrationException when an adaptive backward solve fails
     */
    public static Gradients backward(FieldFunction f, RungeKutta<INDArray> method, TimeGrid backwards,
                                     ErrorNorm<INDArray> norm, INDArray finalState, INDArray finalBar) {
        List<long[]> constants = new ArrayList<>();
        f.trainable().forEach(p -> constants.add(p.shape()));
        if (f.readsInput()) {
            constants.add(f.boundInputShape());
        }
        Layout layout = new Layout(finalState.shape(), constants);
        List<INDArray> constantsAtEnd = new ArrayList<>();
        for (long[] shape : constants) {
            constantsAtEnd.add(Nd4j.zeros(finalState.dataType(), shape));
        }
        INDArray zEnd = layout.pack(finalState, finalBar, constantsAtEnd);
        RightHandSide<INDArray> adjoint = (t, z) -> {
            FieldFunction.ValueAndVjp r = f.evaluateWithVjp(t, layout.state(z), layout.cotangent(z));
            List<INDArray> constantBars = new ArrayList<>(r.vjp().params().values());
            if (r.vjp().input() != null) {
                constantBars.add(r.vjp().input());
            }
            INDArray dz = layout.pack(r.value(), r.vjp().state(), constantBars);
            // the cotangent and the parameter gradients run against the Jacobian products
            dz.get(NDArrayIndex.interval(layout.stateLength, dz.length())).negi();
            return dz;
        };
        INDArray zStart = backwards.integrate(method, adjoint, zEnd, norm, null);
        List<INDArray> bars = layout.constants(zStart);
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (int i = 0; i < f.trainable().size(); i++) {
            params.put(f.trainable().get(i).key(), bars.get(i));
        }
        return new Gradients(layout.cotangent(zStart).dup(), params, f.readsInput() ? bars.get(bars.size() - 1) : null);
    }

    /** Where h, a and the gradient of each constant (parameters, layer input) sit in the flat augmented state. */
    private static final class Layout {
        private final long[] stateShape;
        private final long stateLength;
        private final List<long[]> constants;

        Layout(long[] stateShape, List<long[]> constants) {
            this.stateShape = stateShape.clone();
            this.stateLength = ArrayUtil.prodLong(stateShape);
            this.constants = constants;
        }

        INDArray pack(INDArray state, INDArray cotangent, List<INDArray> paramArrays) {
            List<INDArray> parts = new ArrayList<>(2 + paramArrays.size());
            parts.add(state);
            parts.add(cotangent);
            parts.addAll(paramArrays);
            return Nd4j.toFlattened('c', parts);
        }

        INDArray state(INDArray z) {
            return z.get(NDArrayIndex.interval(0, stateLength)).reshape(stateShape);
        }

        INDArray cotangent(INDArray z) {
            return z.get(NDArrayIndex.interval(stateLength, 2 * stateLength)).reshape(stateShape);
        }

        List<INDArray> constants(INDArray z) {
            List<INDArray> out = new ArrayList<>(constants.size());
            long offset = 2 * stateLength;
            for (long[] shape : constants) {
                long n = ArrayUtil.prodLong(shape);
                out.add(z.get(NDArrayIndex.interval(offset, offset + n)).reshape(shape).dup());
                offset += n;
            }
            return out;
        }
    }
}
