package org.dl4jnode.examples.experiments;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The latent ODE's data ({@link LatentOde}): 2-D spirals as the paper's code makes them, each observed
 * at its own random times with noise, and the non-learned baseline they are compared with.
 */
public final class IrregularSpirals {

    /** Grid points per series window: the observation window, then as many for extrapolation. */
    static final int WINDOW = 100;
    private static final int GRID = 1000;
    private static final double TURNS = 6 * Math.PI;

    private IrregularSpirals() {
    }

    /**
     * One series.
     *
     * @param truth     the noiseless spiral at times k / 100, k = 0..199, {@code [200][2]}
     * @param observed  the observed grid indices, increasing, all below {@link #WINDOW}
     * @param values    the noisy observations at them, {@code [observed.length][2]}
     * @param clockwise which kind of spiral
     */
    public record Series(double[][] truth, int[] observed, double[][] values, boolean clockwise) {

        static double time(int k) {
            return k / (double) WINDOW;
        }
    }

    /**
     * {@code n} spirals as the paper's generator makes them, with their own observation times.
     *
     * @param minObs fewest observations of a series
     * @param maxObs most observations of a series
     */
    public static List<Series> generate(int n, int minObs, int maxObs, double noise, long seed) {
        Random random = new Random(seed);
        List<Series> all = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            boolean clockwise = s % 2 == 0;
            int start = random.nextInt(GRID - 2 * WINDOW);
            double[][] truth = new double[2 * WINDOW][];
            for (int k = 0; k < truth.length; k++) {
                double u = TURNS * (start + k) / (GRID - 1);
                truth[k] = clockwise ? point(0.3 * 50 / (TURNS + 1 - u), TURNS + 1 - u, -5)
                        : point(0.3 * u, u, 5);
            }
            int count = minObs + random.nextInt(maxObs - minObs + 1);
            List<Integer> grid = new ArrayList<>();
            for (int k = 0; k < WINDOW; k++) {
                grid.add(k);
            }
            Collections.shuffle(grid, random);
            int[] observed = grid.subList(0, count).stream().mapToInt(Integer::intValue).sorted().toArray();
            double[][] values = new double[count][];
            for (int j = 0; j < count; j++) {
                double[] p = truth[observed[j]];
                values[j] = new double[] {p[0] + noise * random.nextGaussian(), p[1] + noise * random.nextGaussian()};
            }
            all.add(new Series(truth, observed, values, clockwise));
        }
        return all;
    }

    private static double[] point(double radius, double angle, double centre) {
        return new double[] {radius * Math.cos(angle) + centre, radius * Math.sin(angle)};
    }

    /**
     * The non-learned baseline's prediction: linear interpolation between the observations (held at
     * the ends), then the last one held, {@code [n, 2, 200]}.
     */
    static INDArray baseline(List<Series> all) {
        INDArray prediction = Nd4j.create(DataType.DOUBLE, all.size(), 2, 2 * WINDOW);
        for (int i = 0; i < all.size(); i++) {
            Series s = all.get(i);
            int[] at = s.observed();
            int j = 0;
            for (int k = 0; k < 2 * WINDOW; k++) {
                while (j < at.length && at[j] < k) {
                    j++;
                }
                boolean after = j == at.length;
                if (after) {
                    j = at.length - 1;
                }
                for (int c = 0; c < 2; c++) {
                    double value;
                    if (after || j == 0 || at[j] == k) {
                        value = s.values()[j][c];
                    } else {
                        double w = (k - at[j - 1]) / (double) (at[j] - at[j - 1]);
                        value = (1 - w) * s.values()[j - 1][c] + w * s.values()[j][c];
                    }
                    prediction.putScalar(new long[] {i, c, k}, value);
                }
            }
        }
        return prediction;
    }
}
