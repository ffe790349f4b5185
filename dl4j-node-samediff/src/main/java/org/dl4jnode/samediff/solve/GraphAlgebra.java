package org.dl4jnode.samediff.solve;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;

/** Linear combinations as SameDiff ops: the solve becomes part of the graph and is differentiated by it. */
public final class GraphAlgebra implements StateAlgebra<SDVariable> {

    public static final GraphAlgebra INSTANCE = new GraphAlgebra();

    private GraphAlgebra() {
    }

    @Override
    public SDVariable combine(SDVariable base, double[] coefficients, List<SDVariable> terms) {
        SDVariable out = base;
        for (int i = 0; i < terms.size(); i++) {
            if (coefficients[i] == 0) {
                continue;
            }
            SDVariable term = terms.get(i).mul(coefficients[i]);
            out = out == null ? term : out.add(term);
        }
        if (out == null) {
            throw new IllegalArgumentException("a combination with no base and no non-zero term has no shape");
        }
        return out;
    }
}
