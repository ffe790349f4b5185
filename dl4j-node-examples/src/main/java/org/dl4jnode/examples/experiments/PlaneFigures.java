package org.dl4jnode.examples.experiments;

import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.layers.OdeLayer;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/** Figures of two-class problems in the plane: decision regions with the points, and trajectories. */
public final class PlaneFigures {

    /** Light region colours and strong point colours of classes 0 and 1. */
    static final Color[] REGION = {new Color(255, 210, 210), new Color(205, 220, 255)};
    static final Color[] POINT = {new Color(200, 30, 30), new Color(30, 60, 200)};

    private PlaneFigures() {
    }

    /**
     * The class a two-class classifier predicts over {@code [-extent, extent]^2}, with the labelled
     * points on top.
     *
     * @param classifier maps {@code [n, 2]} points to {@code [n, 2]} class probabilities
     */
    public static XYChart decisionRegions(String title, UnaryOperator<INDArray> classifier, DataSet points,
                                          double extent) {
        int grid = 120;
        INDArray plane = Nd4j.create(DataType.FLOAT, (long) grid * grid, 2);
        for (int i = 0; i < grid; i++) {
            for (int j = 0; j < grid; j++) {
                plane.putScalar(i * grid + j, 0, extent * (2.0 * i / (grid - 1) - 1));
                plane.putScalar(i * grid + j, 1, extent * (2.0 * j / (grid - 1) - 1));
            }
        }
        INDArray p = classifier.apply(plane.castTo(points.getFeatures().dataType()));
        XYChart chart = new XYChartBuilder().width(520).height(520).title(title).xAxisTitle("x1").yAxisTitle("x2")
                .build();
        chart.getStyler().setLegendVisible(false).setMarkerSize(4);
        for (int k = 0; k < 2; k++) {
            int cls = k;
            scatter(chart, "class " + k + " region", plane, i -> p.getDouble(i, cls) >= 0.5, SeriesMarkers.SQUARE,
                    REGION[k]);
        }
        for (int k = 0; k < 2; k++) {
            int cls = k;
            scatter(chart, "class " + k, points.getFeatures(), i -> points.getLabels().getDouble(i, cls) == 1.0,
                    SeriesMarkers.CIRCLE, POINT[k]);
        }
        return chart;
    }

    private static void scatter(XYChart chart, String name, INDArray xy, java.util.function.IntPredicate keep,
                                org.knowm.xchart.style.markers.Marker marker, Color color) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int i = 0; i < xy.rows(); i++) {
            if (keep.test(i)) {
                xs.add(xy.getDouble(i, 0));
                ys.add(xy.getDouble(i, 1));
            }
        }
        if (!xs.isEmpty()) {
            XYSeries s = chart.addSeries(name, xs, ys);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(marker).setMarkerColor(color);
        }
    }

    /**
     * An ODE layer's depth trajectories of the first {@code examples} points (its state is the 2-D input itself),
     * coloured by class, over its learned vector field at mid-depth, drawn as short arrows f(t, h) / 10 on a 15 x 15
     * grid over {@code [-extent, extent]^2}.
     *
     * @param name the model's name, the title's start
     */
    public static XYChart flow(String name, OdeLayer layer, DataSet points, double extent, int examples) {
        BaseOdeLayer conf = layer.layerConf();
        double t = (conf.getTimeStart() + conf.getTimeEnd()) / 2;
        XYChart chart = new XYChartBuilder().width(520).height(520)
                .title(String.format(Locale.ROOT, "%s: trajectories over f(t = %s, h)", name, t)).xAxisTitle("h1")
                .yAxisTitle("h2").build();
        chart.getStyler().setLegendVisible(false);
        int grid = 15;
        INDArray at = Nd4j.create(points.getFeatures().dataType(), (long) grid * grid, 2);
        for (int i = 0; i < grid * grid; i++) {
            at.putScalar(i, 0, extent * (2.0 * (i / grid) / (grid - 1) - 1));
            at.putScalar(i, 1, extent * (2.0 * (i % grid) / (grid - 1) - 1));
        }
        INDArray arrows = layer.vectorFieldAt(t, at).muli(0.1);
        for (int i = 0; i < grid * grid; i++) {
            double x = at.getDouble(i, 0);
            double y = at.getDouble(i, 1);
            chart.addSeries("f" + i, new double[] {x, x + arrows.getDouble(i, 0)},
                    new double[] {y, y + arrows.getDouble(i, 1)}).setMarker(SeriesMarkers.NONE)
                    .setLineColor(Color.GRAY);
        }
        int n = Math.min(examples, points.numExamples());
        List<INDArray> path = layer.trajectory(points.getFeatures().get(NDArrayIndex.interval(0, n),
                NDArrayIndex.all()));
        trajectories(chart, path, points.getLabels(), n);
        return chart;
    }

    /**
     * Adds one line per example: its states {@code path.get(s)} ({@code [n, >= 2]}, first two dims
     * drawn), coloured by the example's class.
     */
    public static void trajectories(XYChart chart, List<INDArray> path, INDArray labels, int examples) {
        for (int i = 0; i < examples; i++) {
            double[] a = new double[path.size()];
            double[] b = new double[path.size()];
            for (int s = 0; s < path.size(); s++) {
                a[s] = path.get(s).getDouble(i, 0);
                b[s] = path.get(s).getDouble(i, 1);
            }
            XYSeries series = chart.addSeries("example " + i, a, b);
            series.setMarker(SeriesMarkers.NONE).setLineColor(POINT[labels.getDouble(i, 0) == 1.0 ? 0 : 1])
                    .setLineStyle(new java.awt.BasicStroke(1.2f));
        }
    }
}
