package org.dl4jnode.samediff.runtime;

import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The threads an ODE layer's solve runs its ops on, on the CPU backend: OpenBLAS on one, and on
 * small states OpenMP on one too, as PyTorch runs its loops below a grain size serially.
 *
 * <p>Why: a solve makes many small calls. libnd4j 1.0.0-M2.1 opens an OpenMP parallel region for
 * element-wise ops of a few thousand elements, and OpenBLAS hands even level-1 calls ({@code axpy}
 * on 100,000 elements) to its own threads, which then spin against OpenMP's for the same cores. On a
 * 2-core machine with {@code OMP_NUM_THREADS=2}, {@code mlp-ode} trained 2-3x slower than on one
 * thread, and the conv model's solve spent a third of its time in OpenBLAS's hand-off
 * ({@code sched_yield}). Large element-wise ops and oneDNN's convolutions still gain from OpenMP's
 * threads, so those keep them.
 *
 * <p>A scope sets OpenBLAS to one thread (a process-wide setting: the first open scope saves it, the
 * last one to close restores it) and, for a state of fewer than {@link #GRAIN} elements, the calling
 * thread's OpenMP team size to 1 (a per-thread setting, restored on {@link #close()}). On one thread
 * already, and on other backends, it changes nothing. Scopes nest; each is closed by the thread that
 * opened it.
 *
 * <pre>{@code
 * try (SolveThreads ignored = SolveThreads.open(state.length())) {
 *     ... // the solve and its backward pass
 * }
 * }</pre>
 */
public final class SolveThreads implements AutoCloseable {

    /** State elements below which a solve's OpenMP regions run on one thread: PyTorch's grain size. */
    public static final long GRAIN = 32_768;

    private static final SolveThreads NOTHING = new SolveThreads(false, 0);
    private static final Object BLAS_LOCK = new Object();
    private static int blasScopes;
    private static int savedBlasThreads;

    private final boolean blasLimited;
    /** The calling thread's OpenMP team size before the scope, to restore; 0 when unchanged. */
    private final int savedOmpThreads;
    private boolean closed;

    private SolveThreads(boolean blasLimited, int savedOmpThreads) {
        this.blasLimited = blasLimited;
        this.savedOmpThreads = savedOmpThreads;
    }

    /**
     * Opens a scope for a solve whose state has {@code elements} elements.
     *
     * @return the scope, to close on the same thread
     */
    public static SolveThreads open(long elements) {
        if (!Nd4j.getEnvironment().isCPU()) {
            return NOTHING;
        }
        boolean blasLimited = false;
        synchronized (BLAS_LOCK) {
            if (blasScopes > 0) {
                blasScopes++;
                blasLimited = true;
            } else {
                Blas blas = Nd4j.factory().blas();
                int threads = blas.getMaxThreads();
                if (threads > 1) {
                    savedBlasThreads = threads;
                    blas.setMaxThreads(1);
                    blasScopes = 1;
                    blasLimited = true;
                }
            }
        }
        int omp = 0;
        if (elements < GRAIN) {
            NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
            omp = ops.ompGetMaxThreads();
            if (omp > 1) {
                ops.setOmpNumThreads(1);
            } else {
                omp = 0;
            }
        }
        return blasLimited || omp > 0 ? new SolveThreads(blasLimited, omp) : NOTHING;
    }

    /** Whether OpenBLAS runs on one thread because of this scope. */
    public boolean blasLimited() {
        return blasLimited;
    }

    /** Whether the calling thread's OpenMP regions run on one thread because of this scope. */
    public boolean ompLimited() {
        return savedOmpThreads > 0;
    }

    @Override
    public void close() {
        if (closed || this == NOTHING) {
            return;
        }
        closed = true;
        if (ompLimited()) {
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(savedOmpThreads);
        }
        if (blasLimited) {
            synchronized (BLAS_LOCK) {
                if (--blasScopes == 0) {
                    Nd4j.factory().blas().setMaxThreads(savedBlasThreads);
                }
            }
        }
    }
}
