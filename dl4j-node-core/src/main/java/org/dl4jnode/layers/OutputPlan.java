package org.dl4jnode.layers;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.dl4jnode.conf.BaseOdeLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one forward pass outputs, and how the solve's outputs become the layer's: h(t1) alone, the
 * state at the layer's {@code outputTimes}, or at each example's own times
 * ({@code outputTimesFromInput}). Those are read off the input's last columns and solved once, at
 * their union: example i's column j is then the union's output {@code column[i][j]}, row i.
 */
final class OutputPlan {

    private final long stateColumns;
    /** The solve's output times, increasing; null: the layer outputs h(t1). */
    private final double[] times;
    /** Per example and output column, the index of its time in {@link #times}; null when every example shares them. */
    private final int[][] column;

    private OutputPlan(long stateColumns, double[] times, int[][] column) {
        this.stateColumns = stateColumns;
        this.times = times;
        this.column = column;
    }

    /**
     * The plan of a pass over {@code input} ({@code [minibatch, nIn]}, or {@code [minibatch, nIn + T]}
     * with each example's times).
     *
     * @param where names the layer in the message when an example's time is not in the time span
     */
    static OutputPlan of(BaseOdeLayer conf, INDArray input, String where) {
        long nIn = conf.getNIn();
        if (!conf.hasOutputTimesFromInput()) {
            return new OutputPlan(nIn, conf.getOutputTimes(), null);
        }
        int count = conf.getOutputTimesFromInput();
        double[][] perExample = input.get(NDArrayIndex.all(), NDArrayIndex.interval(nIn, nIn + count))
                .castTo(DataType.DOUBLE).toDoubleMatrix();
        double[] union = Arrays.stream(perExample).flatMapToDouble(Arrays::stream).sorted().distinct().toArray();
        for (int i = 0; i < perExample.length; i++) {
            for (int j = 0; j < count; j++) {
                double t = perExample[i][j];
                if (!(t >= conf.getTimeStart() && t <= conf.getTimeEnd())) {
                    throw new DL4JInvalidInputException(where + ": output time " + j + " of example " + i + " (input "
                            + "column " + (nIn + j) + ") is " + t + ", outside the time span [" + conf.getTimeStart()
                            + ", " + conf.getTimeEnd() + "]; pad an example's missing observations with one of its "
                            + "own times and mask them in the labels");
                }
            }
        }
        int[][] column = new int[perExample.length][count];
        for (int i = 0; i < perExample.length; i++) {
            for (int j = 0; j < count; j++) {
                column[i][j] = Arrays.binarySearch(union, perExample[i][j]);
            }
        }
        return new OutputPlan(nIn, union, column);
    }

    /** The solve's output times, increasing, or null when the layer outputs h(t1). */
    double[] times() {
        return times;
    }

    /** How many outputs the solve makes: one per output time, or h(t1) alone. */
    int outputCount() {
        return times == null ? 1 : times.length;
    }

    /** The time the solve ends at: the last output time, or t1. */
    double endTime(BaseOdeLayer conf) {
        return times == null ? conf.getTimeEnd() : times[times.length - 1];
    }

    /** The time of the solve's k-th output. */
    double timeOf(int k, BaseOdeLayer conf) {
        return times == null ? conf.getTimeEnd() : times[k];
    }

    /** The state's columns of the input: all of them, or all but the times. A view. */
    INDArray state(INDArray input) {
        return column == null ? input : input.get(NDArrayIndex.all(), NDArrayIndex.interval(0, stateColumns));
    }

    /**
     * The layer's output from the solve's outputs ({@code [minibatch, d]} each): the one output, their
     * stack {@code [minibatch, d, T]}, or each example's own columns gathered from the union.
     */
    INDArray output(List<INDArray> outputs) {
        if (times == null) {
            return outputs.get(0);
        }
        if (column == null) {
            return Nd4j.stack(2, outputs.toArray(INDArray[]::new));
        }
        double[][][] byTime = new double[outputs.size()][][];
        for (int k = 0; k < byTime.length; k++) {
            byTime[k] = outputs.get(k).castTo(DataType.DOUBLE).toDoubleMatrix();
        }
        int examples = column.length;
        int count = column[0].length;
        int d = byTime[0][0].length;
        double[] out = new double[examples * d * count];
        for (int i = 0; i < examples; i++) {
            for (int j = 0; j < count; j++) {
                double[] row = byTime[column[i][j]][i];
                for (int c = 0; c < d; c++) {
                    out[(i * d + c) * count + j] = row[c];
                }
            }
        }
        return Nd4j.create(out, new long[] {examples, d, count}, 'c').castTo(outputs.get(0).dataType());
    }

    /**
     * The cotangents of the solve's outputs from the layer output's {@code epsilon}, one
     * {@code [minibatch, d]} per output: epsilon itself, its time slices, or each example's columns
     * summed into the union's outputs they came from (zero rows elsewhere).
     */
    List<INDArray> outputCotangents(INDArray epsilon) {
        List<INDArray> bars = new ArrayList<>();
        if (times == null) {
            bars.add(epsilon);
            return bars;
        }
        if (column == null) {
            for (int k = 0; k < times.length; k++) {
                bars.add(epsilon.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(k)));
            }
            return bars;
        }
        int examples = column.length;
        int count = column[0].length;
        int d = (int) epsilon.size(1);
        double[] eps = epsilon.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[][] byTime = new double[times.length][examples * d];
        for (int i = 0; i < examples; i++) {
            for (int j = 0; j < count; j++) {
                double[] bar = byTime[column[i][j]];
                for (int c = 0; c < d; c++) {
                    bar[i * d + c] += eps[(i * d + c) * count + j];
                }
            }
        }
        for (double[] bar : byTime) {
            bars.add(Nd4j.create(bar, new long[] {examples, d}, 'c').castTo(epsilon.dataType()));
        }
        return bars;
    }

    /**
     * The layer input's gradient from the state's: itself, or with zero columns for the times, which
     * are data.
     */
    INDArray inputGradient(INDArray stateGradient) {
        if (column == null) {
            return stateGradient;
        }
        return Nd4j.hstack(stateGradient, Nd4j.zeros(stateGradient.dataType(), stateGradient.size(0),
                column[0].length));
    }
}
