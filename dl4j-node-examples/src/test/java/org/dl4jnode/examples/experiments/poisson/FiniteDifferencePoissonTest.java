package org.dl4jnode.examples.experiments.poisson;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The reference solver: it solves its own 5-point system exactly, and converges at second order to a known solution. */
class FiniteDifferencePoissonTest {

    @Test
    void theSolutionSatisfiesTheFivePointSystemAndTheBoundary() {
        int n = 24;
        double[][] phi = FiniteDifferencePoisson.solve(Poisson.RHO, n);
        double h = 1.0 / n;
        for (int i = 1; i < n; i++) {
            for (int j = 1; j < n; j++) {
                double laplacian = (phi[i + 1][j] + phi[i - 1][j] + phi[i][j + 1] + phi[i][j - 1] - 4 * phi[i][j])
                        / (h * h);
                assertThat(laplacian).isCloseTo(Poisson.RHO.applyAsDouble(i * h, j * h), within(1e-9));
            }
        }
        for (int k = 0; k <= n; k++) {
            assertThat(new double[] {phi[0][k], phi[n][k], phi[k][0], phi[k][n]}).containsOnly(0.0);
        }
    }

    @Test
    void convergesAtSecondOrderToAManufacturedSolution() {
        // phi = sin(pi x) sin(pi y) has Delta phi = -2 pi^2 phi and is zero on the boundary
        double[] errors = new double[2];
        int[] sizes = {16, 32};
        for (int s = 0; s < 2; s++) {
            int n = sizes[s];
            double[][] phi = FiniteDifferencePoisson.solve((x, y) -> -2 * Math.PI * Math.PI * Math.sin(Math.PI * x)
                    * Math.sin(Math.PI * y), n);
            for (int i = 0; i <= n; i++) {
                for (int j = 0; j <= n; j++) {
                    double exact = Math.sin(Math.PI * i / n) * Math.sin(Math.PI * j / n);
                    errors[s] = Math.max(errors[s], Math.abs(phi[i][j] - exact));
                }
            }
        }
        assertThat(errors[0]).isLessThan(5e-3);
        assertThat(errors[0] / errors[1]).as("halving h quarters the error").isCloseTo(4.0, within(0.1));
    }

    @Test
    void tooCoarseAMeshIsRefused() {
        assertThatThrownBy(() -> FiniteDifferencePoisson.solve(Poisson.RHO, 1)).hasMessageContaining("n >= 2")
                .hasMessageContaining("1");
    }
}
