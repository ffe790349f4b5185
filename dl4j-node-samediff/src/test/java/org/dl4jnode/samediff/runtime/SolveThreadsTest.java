package org.dl4jnode.samediff.runtime;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A solve's scope runs OpenBLAS on one thread, and OpenMP on one thread for small states, and gives
 * back exactly the settings it found, however scopes nest or overlap across threads.
 */
class SolveThreadsTest {

    private NativeOps ops;
    private int ompBefore;
    private int blasBefore;

    @BeforeEach
    void twoThreads() {
        Nd4j.create(1); // the backend is loaded before its native ops are used
        ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        ompBefore = ops.ompGetMaxThreads();
        blasBefore = Nd4j.factory().blas().getMaxThreads();
        ops.setOmpNumThreads(2);
        Nd4j.factory().blas().setMaxThreads(2);
    }

    @AfterEach
    void restore() {
        ops.setOmpNumThreads(ompBefore);
        Nd4j.factory().blas().setMaxThreads(blasBefore);
    }

    @Test
    void aSmallStateRunsOnOneThreadUntilTheScopeCloses() {
        try (SolveThreads scope = SolveThreads.open(128 * 64)) {
            assertThat(scope.ompLimited()).isTrue();
            assertThat(scope.blasLimited()).isTrue();
            assertThat(ops.ompGetMaxThreads()).isEqualTo(1);
            assertThat(Nd4j.factory().blas().getMaxThreads()).isEqualTo(1);
        }
        assertThat(ops.ompGetMaxThreads()).isEqualTo(2);
        assertThat(Nd4j.factory().blas().getMaxThreads()).isEqualTo(2);
    }

    @Test
    void aLargeStateKeepsOpenMpsThreadsButNotOpenBlass() {
        try (SolveThreads scope = SolveThreads.open(SolveThreads.GRAIN)) {
            assertThat(scope.ompLimited()).isFalse();
            assertThat(ops.ompGetMaxThreads()).isEqualTo(2);
            assertThat(Nd4j.factory().blas().getMaxThreads()).isEqualTo(1);
        }
        assertThat(Nd4j.factory().blas().getMaxThreads()).isEqualTo(2);
    }

    @Test
    void nestedScopesRestoreOnlyWhenTheOuterOneCloses() {
        SolveThreads outer = SolveThreads.open(100);
        SolveThreads inner = SolveThreads.open(100);
        assertThat(inner.ompLimited()).as("already one thread").isFalse();
        inner.close();
        inner.close(); // closing twice changes nothing
        assertThat(ops.ompGetMaxThreads()).isEqualTo(1);
        assertThat(Nd4j.factory().blas().getMaxThreads()).isEqualTo(1);
        outer.close();
        assertThat(ops.ompGetMaxThreads()).isEqualTo(2);
        assertThat(Nd4j.factory().blas().getMaxThreads()).isEqualTo(2);
    }

    @Test
    void openBlasIsRestoredByTheLastScopeToCloseOnAnyThread() throws Exception {
        SolveThreads here = SolveThreads.open(100);
        CompletableFuture<Integer> elsewhere = CompletableFuture.supplyAsync(() -> {
            try (SolveThreads ignored = SolveThreads.open(100)) {
                return Nd4j.factory().blas().getMaxThreads();
            }
        });
        assertThat(elsewhere.get()).isEqualTo(1);
        assertThat(Nd4j.factory().blas().getMaxThreads()).as("this thread's scope is still open").isEqualTo(1);
        here.close();
        assertThat(Nd4j.factory().blas().getMaxThreads()).isEqualTo(2);
    }

    @Test
    void onOneThreadAlreadyNothingChanges() {
        ops.setOmpNumThreads(1);
        Nd4j.factory().blas().setMaxThreads(1);
        try (SolveThreads scope = SolveThreads.open(100)) {
            assertThat(scope.ompLimited()).isFalse();
            assertThat(scope.blasLimited()).isFalse();
        }
        assertThat(ops.ompGetMaxThreads()).isEqualTo(1);
    }
}
