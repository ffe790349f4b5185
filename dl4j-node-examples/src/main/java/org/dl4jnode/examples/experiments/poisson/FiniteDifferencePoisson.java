package org.dl4jnode.examples.experiments.poisson;

import java.util.function.DoubleBinaryOperator;

/**
 * The reference solution of the Poisson problem {@code Delta phi = rho} on the unit square with {@code phi = 0} on its
 * boundary: the 5-point finite-difference system on an (n + 1) x (n + 1) grid (spacing h = 1 / n), solved exactly
 * by expanding in the discrete sine basis, whose modes {@code sin(k pi x_i) sin(l pi y_j)} are the discrete
 * Laplacian's eigenvectors with eigenvalues {@code -(4 / h^2) (sin^2(k pi h / 2) + sin^2(l pi h / 2))}. Second-order
 * accurate in h; O(n^3) work (a naive sine transform), instant for the grids here.
 */
public final class FiniteDifferencePoisson {

    private FiniteDifferencePoisson() {
    }

    /**
     * @param rho the source rho(x, y)
     * @param n   intervals per side, &gt;= 2
     * @return phi at the grid points, {@code [n + 1][n + 1]}, indexed [i][j] for x = i / n, y = j / n (zero on the
     *         boundary rows and columns)
     */
    public static double[][] solve(DoubleBinaryOperator rho, int n) {
        if (n < 2) {
            throw new IllegalArgumentException("finite-difference Poisson: need n >= 2 intervals, got " + n);
        }
        int m = n - 1; // interior points per side
        double h = 1.0 / n;
        double[][] sine = new double[m][m]; // sine[k][i] = sin((k + 1) pi (i + 1) h)
        for (int k = 0; k < m; k++) {
            for (int i = 0; i < m; i++) {
                sine[k][i] = Math.sin((k + 1) * Math.PI * (i + 1) * h);
            }
        }
        double[][] f = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                f[i][j] = rho.applyAsDouble((i + 1) * h, (j + 1) * h);
            }
        }
        // coefficients: the sine transform is orthogonal up to the factor 2 / n per axis
        double[][] coefficients = transform(sine, transform(sine, f, false), true);
        for (int k = 0; k < m; k++) {
            for (int l = 0; l < m; l++) {
                double sk = Math.sin((k + 1) * Math.PI * h / 2);
                double sl = Math.sin((l + 1) * Math.PI * h / 2);
                double eigenvalue = -4 / (h * h) * (sk * sk + sl * sl);
                coefficients[k][l] *= (2.0 / n) * (2.0 / n) / eigenvalue;
            }
        }
        double[][] interior = transform(sine, transform(sine, coefficients, false), true);
        double[][] phi = new double[n + 1][n + 1];
        for (int i = 0; i < m; i++) {
            System.arraycopy(interior[i], 0, phi[i + 1], 1, m);
        }
        return phi;
    }

    /** The sine transform along the first axis of {@code a} (false) or along its second (true). */
    private static double[][] transform(double[][] sine, double[][] a, boolean second) {
        int m = a.length;
        double[][] out = new double[m][m];
        for (int p = 0; p < m; p++) {
            for (int q = 0; q < m; q++) {
                double sum = 0;
                for (int r = 0; r < m; r++) {
                    sum += second ? sine[q][r] * a[p][r] : sine[p][r] * a[r][q];
                }
                out[p][q] = sum;
            }
        }
        return out;
    }
}
