package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.solve.ArrayAlgebra;
import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.solve.ErrorNorm;
import org.dl4jnode.samediff.solve.RightHandSide;
import org.dl4jnode.samediff.solve.RungeKutta;
import org.dl4jnode.samediff.solve.SolveStatistics;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.nd4j.common.util.ArrayUtil;
import org.nd4j.linalg.api.ndarray.INDArray;
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
public final class AdjointSolve {

    private AdjointSolve() {
    }

    /**
     * @param f          the field the forward solve used
     * @param binding    the parameters (and input) the forward solve read; the backward solve reads the same
     * @param tableau    the Runge-Kutta method of the backward solve
     * @param backwards  the backward solve's time grid, from t1 to t0 (an adaptive one controls the error
     *                   over the flat augmented state)
     * @param finalState h(t1), the forward solve's output
     * @param finalBar   dL/dh(t1)
     * @param pool       where the augmented states, stages and slopes come from; each step's go back once
     *                   the next step no longer reads them, so the solve holds a few augmented states
     *                   whatever its length and leaves nothing to the garbage collector
     * @return dL/dh(t0), dL/dtheta and, when f reads the layer input, dL/dx through f (arrays taken from
     *         {@code pool}, still handed out)
     * @throws org.dl4jnode.samediff.solve.IntegrationException when an adaptive backward solve fails
     */
    public static Gradients backward(FieldFunction f, Binding binding, ButcherTableau tableau, TimeGrid backwards,
                                     INDArray finalState, INDArray finalBar, ArrayPool pool) {
        return backward(f, binding, tableau, backwards, finalState, finalBar, pool, false, new SolveStatistics());
    }

    /**
     * As {@link #backward(FieldFunction, Binding, ButcherTableau, TimeGrid, INDArray, INDArray, ArrayPool)},
     * counting the backward solve's steps in {@code statistics}.
     *
     * @param seminorm true: an adaptive backward solve controls the error of [h, a] only, not of the
     *                 constants' gradients, which integrate a quadrature that never feeds back
     */
    public static Gradients backward(FieldFunction f, Binding binding, ButcherTableau tableau, TimeGrid backwards,
                                     INDArray finalState, INDArray finalBar, ArrayPool pool, boolean seminorm,
                                     SolveStatistics statistics) {
        List<long[]> constants = new ArrayList<>();
        f.trainable().forEach(p -> constants.add(p.shape()));
        if (f.readsInput()) {
            constants.add(binding.requireInput().shape());
        }
        Layout layout = new Layout(finalState.shape(), constants);
        RightHandSide<INDArray> adjoint = new RightHandSide<>() {
            @Override
            public INDArray evaluate(double t, INDArray z) {
                INDArray dz = pool.like(z);
                FieldFunction.Recorded r = f.record(t, layout.state(z), binding);
                try {
                    // f and its products are the graph's arrays until released: copied straight into dz
                    layout.state(dz).assign(r.value());
                    FieldFunction.Vjp vjp = f.backward(r, layout.cotangent(z));
                    List<INDArray> constantBars = new ArrayList<>(vjp.params().values());
                    if (vjp.input() != null) {
                        constantBars.add(vjp.input());
                    }
                    layout.fill(dz, vjp.state(), constantBars);
                } finally {
                    f.release(r);
                }
                // the cotangent and the parameter gradients run against the Jacobian products
                layout.tail(dz).negi();
                return dz;
            }

            @Override
            public void release(INDArray dz) {
                pool.giveBack(dz);
            }
        };
        INDArray zEnd = pool.take(finalState.dataType(), new long[] {layout.length()});
        layout.state(zEnd).assign(finalState);
        layout.cotangent(zEnd).assign(finalBar);
        layout.constantsPart(zEnd).assign(0);
        RungeKutta<INDArray> method = new RungeKutta<>(tableau, ArrayAlgebra.pooled(pool));
        ErrorNorm<INDArray> norm = ErrorNorm.of(backwards, pool);
        if (seminorm && norm != null) {
            norm = ErrorNorm.prefix(norm, 2 * layout.stateLength);
        }
        INDArray zStart = backwards.integrate(method, adjoint, zEnd, norm, null, statistics);
        List<INDArray> bars = layout.constants(zStart, pool);
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (int i = 0; i < f.trainable().size(); i++) {
            params.put(f.trainable().get(i).key(), bars.get(i));
        }
        Gradients g = new Gradients(pool.copyOf(layout.cotangent(zStart)), params,
                f.readsInput() ? bars.get(bars.size() - 1) : null);
        pool.giveBack(zStart);
        pool.giveBack(zEnd);
        return g;
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

        /** Elements of the flat augmented state. */
        long length() {
            long n = 2 * stateLength;
            for (long[] shape : constants) {
                n += ArrayUtil.prodLong(shape);
            }
            return n;
        }

        /** Writes the cotangent part and the constants' parts of {@code z}. */
        void fill(INDArray z, INDArray cotangent, List<INDArray> constantParts) {
            cotangent(z).assign(cotangent);
            long offset = 2 * stateLength;
            for (int i = 0; i < constants.size(); i++) {
                long n = ArrayUtil.prodLong(constants.get(i));
                z.get(NDArrayIndex.interval(offset, offset + n)).assign(constantParts.get(i).reshape(n));
                offset += n;
            }
        }

        /** The constants' gradients, after h and the cotangent. */
        INDArray constantsPart(INDArray z) {
            return z.get(NDArrayIndex.interval(2 * stateLength, z.length()));
        }

        /** Everything after h: the cotangent and the constants' gradients. */
        INDArray tail(INDArray z) {
            return z.get(NDArrayIndex.interval(stateLength, z.length()));
        }

        INDArray state(INDArray z) {
            return z.get(NDArrayIndex.interval(0, stateLength)).reshape(stateShape);
        }

        INDArray cotangent(INDArray z) {
            return z.get(NDArrayIndex.interval(stateLength, 2 * stateLength)).reshape(stateShape);
        }

        /** Copies of the constants' gradients in {@code z}, in arrays taken from {@code pool}. */
        List<INDArray> constants(INDArray z, ArrayPool pool) {
            List<INDArray> out = new ArrayList<>(constants.size());
            long offset = 2 * stateLength;
            for (long[] shape : constants) {
                long n = ArrayUtil.prodLong(shape);
                out.add(pool.take(z.dataType(), shape).assign(z.get(NDArrayIndex.interval(offset, offset + n))
                        .reshape(shape)));
                offset += n;
            }
            return out;
        }
    }
}
