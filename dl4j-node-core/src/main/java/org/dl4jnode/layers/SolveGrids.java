package org.dl4jnode.layers;

import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.conf.Stepping;
import org.dl4jnode.samediff.solve.AdaptiveGrid;
import org.dl4jnode.samediff.solve.TimeGrid;

import java.util.ArrayList;
import java.util.List;

/**
 * The grids an ODE layer's solves run on, made from its configuration's values (its
 * {@link org.dl4jnode.conf.Stepping}, time span, output times and gradient computation): the
 * configuration describes, this runtime side builds.
 */
final class SolveGrids {

    private SolveGrids() {
    }

    /** The forward solve over the whole span, t0 to t1. */
    static TimeGrid whole(BaseOdeLayer conf) {
        return conf.getStepping().grid(conf.getTimeStart(), conf.getTimeEnd());
    }

    /**
     * The forward solve's segments: the whole span, or with output times (increasing; a pass's
     * {@link OutputPlan#times()}) one grid per output time,
     * the k-th from the previous output time (t0 for the first) to t_k, so that every output time is
     * a step's end. An entry is null when its output time is t0 (that output is the initial state).
     * Adaptive grids step exactly to each time, each segment with the whole step budget; a fixed grid
     * spreads its steps over the segments in proportion to their length, at least one each
     * ({@code ceil(steps * length / span)}), so that output times on the grid
     * {@code t0 + k (t1 - t0) / steps} keep it exactly. The solve ends at the last output time.
     */
    static List<TimeGrid> forward(BaseOdeLayer conf, double[] times) {
        return forward(conf, conf.getStepping(), times);
    }

    /** As {@link #forward(BaseOdeLayer, double[])} with another stepping (a failure policy's retry). */
    static List<TimeGrid> forward(BaseOdeLayer conf, Stepping stepping, double[] times) {
        if (times == null) {
            return List.of(stepping.grid(conf.getTimeStart(), conf.getTimeEnd()));
        }
        List<TimeGrid> grids = new ArrayList<>();
        double from = conf.getTimeStart();
        double span = conf.getTimeEnd() - conf.getTimeStart();
        for (double to : times) {
            if (to == from) {
                grids.add(null);
                continue;
            }
            grids.add(stepping.segment(from, to, span));
            from = to;
        }
        return grids;
    }

    /**
     * The forward grid of a solve whose outputs are interpolated ({@code interpolateOutputs}): the whole
     * span up to the last output time, with the whole step budget.
     */
    static TimeGrid interpolated(BaseOdeLayer conf, double[] times) {
        return conf.getStepping().grid(conf.getTimeStart(), times[times.length - 1]);
    }

    /**
     * The adjoint's grid for a forward grid: reversed, as many equal steps, or adaptive with the
     * adjoint's tolerances ({@link BaseOdeLayer#adjointTolerances()}) and the forward step budget.
     */
    static TimeGrid adjoint(BaseOdeLayer conf, TimeGrid forward) {
        TimeGrid backwards = forward.reversed();
        return backwards instanceof AdaptiveGrid adaptive ? adaptive.withTolerances(conf.adjointTolerances()) : backwards;
    }
}
