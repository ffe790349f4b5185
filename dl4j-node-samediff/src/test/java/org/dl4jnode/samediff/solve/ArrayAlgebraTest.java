package org.dl4jnode.samediff.solve;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Linear combinations as a Runge-Kutta stage forms them, on dense arrays, views and mixed orderings. */
class ArrayAlgebraTest {

    private final INDArray y = Nd4j.create(new double[][] {{1, 2}, {3, 4}});
    private final INDArray k1 = Nd4j.create(new double[][] {{1, 0}, {0, 1}});
    private final INDArray k2 = Nd4j.create(new double[][] {{2, 2}, {2, 2}});

    @Test
    void combinesBaseAndScaledTermsIntoAFreshArray() {
        INDArray out = ArrayAlgebra.INSTANCE.combine(y, new double[] {0.5, -1}, List.of(k1, k2));
        assertThat(out.toDoubleMatrix()).isEqualTo(new double[][] {{-0.5, 0}, {1, 2.5}});
        assertThat(y.toDoubleMatrix()).as("arguments untouched").isEqualTo(new double[][] {{1, 2}, {3, 4}});
        assertThat(out).isNotSameAs(y);
    }

    @Test
    void skipsZeroCoefficientsAndTreatsANullBaseAsZero() {
        INDArray out = ArrayAlgebra.INSTANCE.combine(null, new double[] {0, 3}, List.of(k1, k2));
        assertThat(out.toDoubleMatrix()).isEqualTo(new double[][] {{6, 6}, {6, 6}});
        assertThat(ArrayAlgebra.INSTANCE.combine(y, new double[] {0}, List.of(k1))).isEqualTo(y).isNotSameAs(y);
        assertThatThrownBy(() -> ArrayAlgebra.INSTANCE.combine(null, new double[] {0}, List.of(k1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPooledAlgebraTakesItsResultsFromThePool() {
        ArrayPool pool = new ArrayPool(1 << 20);
        ArrayAlgebra pooled = ArrayAlgebra.pooled(pool);
        INDArray out = pooled.combine(y, new double[] {0.5, -1}, List.of(k1, k2));
        assertThat(out.toDoubleMatrix()).isEqualTo(new double[][] {{-0.5, 0}, {1, 2.5}});
        INDArray scaled = pooled.combine(null, new double[] {0, 3}, List.of(k1, k2));
        assertThat(scaled.toDoubleMatrix()).isEqualTo(new double[][] {{6, 6}, {6, 6}});
        assertThat(pool.outstanding()).isEqualTo(2);
        pool.giveBack(out);
        INDArray again = pooled.combine(y.dup('f'), new double[] {1}, List.of(k1));
        assertThat(again).as("reused").isSameAs(out);
        assertThat(again.toDoubleMatrix()).as("from an 'f'-ordered base").isEqualTo(new double[][] {{2, 2}, {3, 5}});
    }

    @Test
    void axpyIsCorrectOnViewsAndOtherOrderings() {
        INDArray big = Nd4j.create(DataType.DOUBLE, 3, 2);
        INDArray view = big.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all());
        view.assign(y);
        ArrayAlgebra.axpy(2, k2, view);
        assertThat(view.toDoubleMatrix()).isEqualTo(new double[][] {{5, 6}, {7, 8}});
        assertThat(big.getRow(0).toDoubleVector()).as("outside the view").containsExactly(0, 0);

        INDArray fOrder = y.dup('f');
        ArrayAlgebra.axpy(-1, k1, fOrder);
        assertThat(fOrder.toDoubleMatrix()).isEqualTo(new double[][] {{0, 2}, {3, 3}});

        INDArray dense = y.dup();
        ArrayAlgebra.axpy(0.5, k2, dense);
        assertThat(dense.toDoubleMatrix()).isEqualTo(new double[][] {{2, 3}, {4, 5}});
        assertThatThrownBy(() -> ArrayAlgebra.axpy(1, k1, Nd4j.zeros(DataType.DOUBLE, 4)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scaleWritesAScaledCopyOnDenseArraysViewsAndFloats() {
        INDArray dense = Nd4j.create(DataType.DOUBLE, 2, 2);
        ArrayAlgebra.scale(-1.5, y, dense);
        assertThat(dense.toDoubleMatrix()).isEqualTo(new double[][] {{-1.5, -3}, {-4.5, -6}});
        assertThat(y.toDoubleMatrix()).as("x untouched").isEqualTo(new double[][] {{1, 2}, {3, 4}});

        INDArray big = Nd4j.create(DataType.DOUBLE, 3, 2);
        INDArray view = big.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all());
        ArrayAlgebra.scale(2, y, view);
        assertThat(view.toDoubleMatrix()).isEqualTo(new double[][] {{2, 4}, {6, 8}});
        assertThat(big.getRow(0).toDoubleVector()).as("outside the view").containsExactly(0, 0);

        INDArray floats = Nd4j.create(DataType.FLOAT, 2, 2);
        ArrayAlgebra.scale(0.25, y.castTo(DataType.FLOAT), floats);
        assertThat(floats.toFloatMatrix()).isEqualTo(new float[][] {{0.25f, 0.5f}, {0.75f, 1f}});
    }

    @Test
    void isFiniteFindsEveryNonFiniteElementAndTrustsHugeFiniteOnes() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray a = Nd4j.rand(type, 16, 8);
            assertThat(ArrayAlgebra.isFinite(a)).as(type.toString()).isTrue();
            for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                INDArray b = a.dup();
                b.putScalar(5, 3, bad);
                assertThat(ArrayAlgebra.isFinite(b)).as(type + " with " + bad).isFalse();
                assertThat(ArrayAlgebra.isFinite(b.get(NDArrayIndex.interval(4, 8), NDArrayIndex.all())))
                        .as("a view holding " + bad).isFalse();
            }
        }
        // |sum| overflows float, every element is finite
        INDArray huge = Nd4j.valueArrayOf(new long[] {4, 4}, 3e38f);
        assertThat(ArrayAlgebra.isFinite(huge)).isTrue();
    }
}
