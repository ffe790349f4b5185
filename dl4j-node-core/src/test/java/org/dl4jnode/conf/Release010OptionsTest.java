package org.dl4jnode.conf;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Release 0.1.0 wrote the stepping and gradient options flat, one JSON property each, with NaN
 * markers; Jackson hands them over one at a time, in the file's order.
 */
class Release010OptionsTest {

    @Test
    void aPairOfTolerancesMakesAdaptiveSteppingOnceBothAreRead() {
        Release010Options o = new Release010Options();
        assertThat(o.read("steps", 4)).isTrue();
        assertThat(o.read("rtol", 1e-4)).as("atol not read yet").isFalse();
        assertThat(o.read("atol", 1e-6)).isTrue();
        assertThat(o.read("maxSteps", 100)).isTrue();
        assertThat(o.read("minStep", 0.0)).isTrue();
        assertThat(o.stepping()).isEqualTo(Stepping.adaptive(1e-4, 1e-6, 100, 0.0));
        assertThat(o.gradientComputation()).isEqualTo(GradientComputation.backprop());
    }

    @Test
    void nanMarkersReadAsAFixedGridAndTheForwardTolerances() {
        Release010Options o = new Release010Options();
        for (String key : new String[] {"adjointAtol", "adjointRtol", "atol", "rtol"}) {
            o.read(key, "NaN");
        }
        o.read("gradientMode", "ADJOINT");
        o.read("steps", 8);
        assertThat(o.stepping()).isEqualTo(Stepping.fixed(8));
        assertThat(o.gradientComputation()).isEqualTo(GradientComputation.adjoint());
    }

    @Test
    void adjointTolerancesReadInEitherOrder() {
        Release010Options o = new Release010Options();
        o.read("gradientMode", "ADJOINT");
        assertThat(o.read("adjointAtol", 1e-7)).isFalse();
        assertThat(o.read("adjointRtol", 1e-5)).isTrue();
        assertThat(o.gradientComputation()).isEqualTo(GradientComputation.adjoint(1e-5, 1e-7));
    }

    @Test
    void otherPropertiesAreNotItsOwn() {
        assertThat(new Release010Options().read("layerName", "ode")).isFalse();
    }
}
