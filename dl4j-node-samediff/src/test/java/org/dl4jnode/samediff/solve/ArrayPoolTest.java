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
        assertThat(taken.stream().filter(INDArray::wasClosed)).as("the third, beyond the bound, freed").hasSize(1);
        assertThat(taken).usingElementComparator((a, b) -> a == b ? 0 : 1)
                .contains(pool.take(DataType.FLOAT, SHAPE), pool.take(DataType.FLOAT, SHAPE));
        assertThatThrownBy(() -> new ArrayPool(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void freesAGivenBackArrayBeyondItsBoundAtOnceInsteadOfLeavingItToTheGarbageCollector() {
        ArrayPool pool = new ArrayPool(48);
        INDArray kept = pool.take(DataType.FLOAT, SHAPE);
        INDArray beyond = pool.take(DataType.FLOAT, SHAPE);
        pool.giveBack(kept);
        pool.giveBack(beyond);
        assertThat(kept.wasClosed()).as("kept for reuse").isFalse();
        assertThat(beyond.wasClosed()).as("freed").isTrue();
        assertThat(new ArrayPool(0)).satisfies(none -> {
            INDArray a = none.take(DataType.FLOAT, SHAPE);
            none.giveBack(a);
            assertThat(a.wasClosed()).as("a pool that keeps nothing frees every array given back").isTrue();
        });
    }

    @Test
    void countsWhatItAllocatesAndFreesItsFreeArraysOnClose() {
        ArrayPool pool = new ArrayPool(1 << 20);
        INDArray a = pool.take(DataType.FLOAT, SHAPE);
        pool.giveBack(a);
        pool.giveBack(pool.take(DataType.FLOAT, SHAPE));
        assertThat(pool.allocations()).as("the second take reused the first array").isEqualTo(1);
        INDArray handedOut = pool.take(DataType.FLOAT, SHAPE);
        INDArray free = pool.like(handedOut);
        pool.giveBack(free);
        pool.close();
        assertThat(free.wasClosed()).isTrue();
        assertThat(handedOut.wasClosed()).as("still the caller's").isFalse();
        assertThat(pool.freeBytes()).isZero();
        assertThat(pool.allocations()).isEqualTo(2);
    }

    @Test
    void aCopyIsAHandedOutArrayWithTheValuesInCOrder() {
        ArrayPool pool = new ArrayPool(1 << 20);
        INDArray fOrdered = Nd4j.rand(DataType.FLOAT, SHAPE).dup('f');
        INDArray copy = pool.copyOf(fOrdered);
        assertThat(copy).isEqualTo(fOrdered).isNotSameAs(fOrdered);
        assertThat(copy.ordering()).isEqualTo('c');
        assertThat(pool.outstanding()).isEqualTo(1);
    }
}
