package org.dl4jnode.samediff.field;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A field's value and a Jacobian-vector product at the same point, both graph variables:
 * {@code value = f(t, h)} and {@code tangent = (df/dh) v}, each shaped like f's output.
 */
public record FieldWithTangent(SDVariable value, SDVariable tangent) {
}
