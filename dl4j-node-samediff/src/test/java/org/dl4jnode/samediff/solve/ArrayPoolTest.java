package org.dl4jnode.samediff.solve;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Arrays handed out, given back and handed out again, within a bound on what is kept. */
class ArrayPoolTest {

    private static final long[] SHAPE = {3, 4};

    @Test
    void aGivenBackArrayIsHandedOutAgainForItsTypeAndShapeOnly() {
        ArrayPool pool = new ArrayPool(1 << 20);
        INDArray first = pool.take(DataType.FLOAT, SHAPE);
        assertThat(first.shape()).containsExactly(3, 4);
        assertThat(first.ordering()).isEqualTo('c');
        assertThat(first.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(pool.outstanding()).isEqualTo(1);
        pool.giveBack(first);
        assertThat(pool.outstanding()).isZero();
        assertThat(pool.freeBytes()).isEqualTo(48);
        assertThat(pool.take(DataType.DOUBLE, SHAPE)).as("another type").isNotSameAs(first);
        assertThat(pool.take(DataType.FLOAT, new long[] {4, 3})).as("another shape").isNotSameAs(first);
        assertThat(pool.take(DataType.FLOAT, SHAPE)).isSameAs(first);
        assertThat(pool.freeBytes()).isZero();
    }

    @Test
    void ignoresArraysItDidNotHandOutAndArraysGivenBackTwice() {
        ArrayPool pool = new ArrayPool(1 << 20);
        pool.giveBack(Nd4j.zeros(DataType.FLOAT, SHAPE));
        pool.giveBack(null);
        assertThat(pool.freeBytes()).isZero();
        INDArray a = pool.take(DataType.FLOAT, SHAPE);
        pool.giveBack(a);
        pool.giveBack(a);
        assertThat(pool.freeBytes()).as("kept once").isEqualTo(48);
    }

    @Test
    void givesEverythingBackAtOnceAndKeepsNoMoreThanItsBound() {
        ArrayPool pool = new ArrayPool(100);
        List<INDArray> taken = List.of(pool.take(DataType.FLOAT, SHAPE), pool.take(DataType.FLOAT, SHAPE),
                pool.take(DataType.FLOAT, SHAPE));
        pool.giveBackAll();
        assertThat(pool.outstanding()).isZero();
        assertThat(pool.freeBytes()).as("two arrays of 48 bytes fit in 100").isEqualTo(96);
        assertThat(taken).contains(pool.take(DataType.FLOAT, SHAPE), pool.take(DataType.FLOAT, SHAPE));
        assertThatThrownBy(() -> new ArrayPool(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }
}
