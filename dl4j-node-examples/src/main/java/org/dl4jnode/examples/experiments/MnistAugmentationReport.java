package org.dl4jnode.examples.experiments;

import org.dl4jnode.examples.experiments.MnistAugmentation.Run;
import org.dl4jnode.examples.experiments.MnistAugmentation.Variant;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** What {@link MnistAugmentation} reports: seed 002's Table 1 and its figure 9, from the runs. */
final class MnistAugmentationReport {

    private MnistAugmentationReport() {
    }

    /** Table 1: per model, mean and standard deviation over the seeds. */
    static void table(List<Run> runs, PrintStream log) {
        log.printf("%-10s %5s %17s %15s %15s %11s %13s %9s%n", "model", "seeds", "test accuracy", "NFE forward",
                "NFE backward", "parameters", "ODE + input", "s / run");
        for (Variant v : Variant.values()) {
            List<Run> mine = runs.stream().filter(r -> r.variant() == v).toList();
            if (mine.isEmpty()) {
                continue;
            }
            double[] acc = mine.stream().mapToDouble(r -> 100 * r.accuracy()).toArray();
            double[] fwd = mine.stream().mapToDouble(r -> r.convergedNfe(r.forwardNfe())).toArray();
            double[] bwd = mine.stream().mapToDouble(r -> r.convergedNfe(r.backwardNfe())).toArray();
            log.printf(Locale.ROOT, "%-10s %5d %9.2f ± %5.2f %8.1f ± %4.1f %8.1f ± %4.1f %11d %13d %9.0f%n", v.label(),
                    mine.size(), mean(acc), std(acc), mean(fwd), std(fwd), mean(bwd), std(bwd), mine.get(0).parameters(),
                    mine.get(0).odeParameters(), mine.stream().mapToDouble(Run::seconds).average().orElse(0));
        }
    }

    static double mean(double[] x) {
        return Arrays.stream(x).average().orElse(Double.NaN);
    }

    /** Sample standard deviation (0 for one value). */
    static double std(double[] x) {
        if (x.length < 2) {
            return 0;
        }
        double m = mean(x);
        return Math.sqrt(Arrays.stream(x).map(v -> (v - m) * (v - m)).sum() / (x.length - 1));
    }

    /**
     * Figure 9: test accuracy, and the NFE of the forward and the adjoint solves over iterations; means over the
     * seeds with one-standard-deviation bars.
     */
    static List<XYChart> curves(List<Run> runs) {
        XYChart accuracy = chart("test accuracy (curve images)", "accuracy %");
        XYChart forward = chart("NFE of the forward solve", "NFE");
        XYChart backward = chart("NFE of the adjoint solve", "NFE");
        for (Variant v : Variant.values()) {
            List<Run> mine = runs.stream().filter(r -> r.variant() == v).toList();
            if (mine.isEmpty()) {
                continue;
            }
            int points = mine.stream().mapToInt(r -> r.curveIteration().length).min().orElse(0);
            double[] x = new double[points];
            double[] y = new double[points];
            double[] err = new double[points];
            for (int i = 0; i < points; i++) {
                final int p = i;
                double[] values = mine.stream().mapToDouble(r -> 100 * r.curveAccuracy()[p]).toArray();
                x[i] = mine.get(0).curveIteration()[i];
                y[i] = mean(values);
                err[i] = std(values);
            }
            if (points > 0) {
                accuracy.addSeries(v.label(), x, y, err).setMarker(SeriesMarkers.NONE);
            }
            addNfeSeries(forward, v.label(), mine.stream().map(Run::forwardNfe).toList());
            addNfeSeries(backward, v.label(), mine.stream().map(Run::backwardNfe).toList());
        }
        return List.of(accuracy, forward, backward);
    }

    private static XYChart chart(String title, String yAxis) {
        return new XYChartBuilder().width(560).height(420).title(title).xAxisTitle("iteration").yAxisTitle(yAxis)
                .build();
    }

    /** One model's NFE per iteration: the mean over windows of iterations per seed, then over the seeds. */
    private static void addNfeSeries(XYChart chart, String name, List<double[]> perSeed) {
        int iterations = perSeed.stream().mapToInt(a -> a.length).min().orElse(0);
        // the raw counts jump by a whole step's evaluations from one iteration to the next: windows smooth them
        int window = Math.max(1, iterations / 50);
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        List<Double> err = new ArrayList<>();
        for (int from = 0; from + window <= iterations; from += window) {
            final int f = from;
            double[] values = perSeed.stream().mapToDouble(a -> Arrays.stream(a, f, f + window).average().orElse(0))
                    .toArray();
            x.add((double) from + window);
            y.add(mean(values));
            err.add(std(values));
        }
        if (!x.isEmpty()) {
            XYSeries s = chart.addSeries(name, x, y, err);
            s.setMarker(SeriesMarkers.NONE);
        }
    }
}
