package org.dl4jnode.samediff.regularizer;

import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * What every flow regulariser has: its name and its checked weight, and equality, hash and text from
 * them. A regulariser with more settings (a seed) extends equality with them.
 */
abstract class WeightedRegularizer implements FlowRegularizer {

    private static final long serialVersionUID = 1L;

    @JsonIgnore // the class says it; the JSON names the class
    private final String name;
    @JsonProperty("weight")
    private final double weight;

    /** @throws IllegalArgumentException naming the regulariser when the weight is negative or not finite */
    WeightedRegularizer(String name, double weight) {
        this.name = name;
        this.weight = FlowRegularizer.checkWeight(name, weight);
    }

    @Override
    public final double weight() {
        return weight;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Double.compare(weight, ((WeightedRegularizer) o).weight) == 0;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Double.hashCode(weight);
    }

    @Override
    public String toString() {
        return name + "(" + weight + ")";
    }
}
