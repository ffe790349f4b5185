package org.dl4jnode.samediff.runtime;

/**
 * The measured cost of one op of a field's compiled graph ({@link FieldFunction#opCosts}).
 *
 * @param forward true for the forward segment (f), false for the backward one (its products)
 * @param op      the op's name ({@code matmul}, {@code tanh_bp}, ...)
 * @param output  the name of its first output variable
 * @param shape   that output's shape
 * @param micros  mean time per execution, microseconds
 */
public record OpCost(boolean forward, String op, String output, long[] shape, double micros) {
}
