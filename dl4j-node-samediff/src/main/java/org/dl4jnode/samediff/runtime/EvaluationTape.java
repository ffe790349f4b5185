package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.solve.RightHandSide;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The right-hand side of one forward solve that keeps what its backward pass needs: every
 * evaluation's intermediate values (activations), found again by the slope it returned.
 *
 * <p>A step's recorded slopes {@code k_i} are this tape's arrays, so a backward pass asks for the
 * vector-Jacobian product "at the evaluation that gave {@code k_i}" and only the backward half of the
 * field's graph runs; first-same-as-last reuse needs no care, the reused slope is the same array. A
 * slope the tape did not produce is differentiated from its point, forward half included.
 *
 * <p>Values returned by {@link #evaluate} stay valid until {@link #close()}, which hands the graph
 * instances back to the field for the next solve. A tape keeps at most {@code budgetBytes} of
 * activations; once it is spent, further evaluations return arrays of their own (from the tape's pool,
 * when it has one) and keep nothing, so a long solve trades recomputation in its backward pass for
 * bounded memory. {@link #release} lets go of one evaluation (a rejected step's). Not thread-safe.
 */
public final class EvaluationTape implements RightHandSide<INDArray>, AutoCloseable {

    private final FieldFunction f;
    /** What every evaluation of this tape reads: the binding when it was made. */
    private final Binding binding;
    private final long budgetBytes;
    /** Where evaluations past the budget are copied to; null: fresh arrays. */
    private final ArrayPool pool;
    private final Map<INDArray, FieldFunction.Recorded> bySlope = new IdentityHashMap<>();
    private long keptBytes;

    EvaluationTape(FieldFunction f, Binding binding, long budgetBytes, ArrayPool pool) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("a tape's budget must be >= 0 bytes, got " + budgetBytes);
        }
        this.f = f;
        this.binding = binding;
        this.budgetBytes = budgetBytes;
        this.pool = pool;
    }

    /** The field this tape evaluates. */
    public FieldFunction field() {
        return f;
    }

    /** The parameters (and input) this tape's evaluations read, fixed when the tape was made. */
    public Binding binding() {
        return binding;
    }

    /**
     * f(t, h), kept while the budget lasts: the array then belongs to the tape and is valid until
     * {@link #close()}; past the budget it is an array of its own (the pool's, given back by
     * {@link #release} or with the pool's other arrays) and nothing is kept.
     */
    @Override
    public INDArray evaluate(double t, INDArray h) {
        if (keptBytes >= budgetBytes) {
            if (pool == null) {
                return f.evaluate(t, h, binding);
            }
            FieldFunction.Recorded r = f.record(t, h, binding);
            try {
                return pool.copyOf(r.value());
            } finally {
                f.release(r);
            }
        }
        FieldFunction.Recorded r = f.record(t, h, binding);
        bySlope.put(r.value(), r);
        keptBytes += r.bytes();
        return r.value();
    }

    /**
     * The vector-Jacobian products of f with the cotangent {@code a} at the evaluation that returned
     * {@code slope}, or at (t, h) when this tape did not return it. The arrays are overwritten by the
     * field's next product: read or copy them before.
     */
    public FieldFunction.Vjp vjp(double t, INDArray h, INDArray slope, INDArray a) {
        FieldFunction.Recorded r = bySlope.get(slope);
        if (r != null) {
            return f.backward(r, a);
        }
        return f.vjp(t, h, a, binding);
    }

    /**
     * Lets go of the evaluation that returned {@code slope} now (its instance goes back to the field, or
     * its array to the pool); the slope is invalid afterwards.
     */
    @Override
    public void release(INDArray slope) {
        FieldFunction.Recorded r = bySlope.remove(slope);
        if (r != null) {
            keptBytes -= r.bytes();
            f.release(r);
        } else if (pool != null) {
            pool.giveBack(slope);
        }
    }

    /** Number of evaluations kept. */
    public int size() {
        return bySlope.size();
    }

    /** Bytes of the activations kept. */
    public long keptBytes() {
        return keptBytes;
    }

    /**
     * Releases every kept evaluation but the one that returned {@code slope} (a solve that will not be
     * differentiated calls this after each step, keeping only a slope the next step may reuse).
     */
    public void releaseAllBut(INDArray slope) {
        FieldFunction.Recorded kept = bySlope.remove(slope);
        close();
        if (kept != null) {
            bySlope.put(slope, kept);
            keptBytes = kept.bytes();
        }
    }

    /** Releases every kept evaluation; their values are invalid afterwards. */
    @Override
    public void close() {
        bySlope.values().forEach(f::release);
        bySlope.clear();
        keptBytes = 0;
    }
}
