/**
 * The eager runtime of a solve: {@link org.dl4jnode.samediff.runtime.OdeSolve#solve} takes a field
 * function, an initial state, grids, a Runge-Kutta method and a gradient method, and returns a
 * {@link org.dl4jnode.samediff.runtime.Solution} whose {@code backward} gives the gradients, as
 * diffrax's {@code diffeqsolve} composes a solver, a step-size controller and an adjoint.
 *
 * <h2>The names of the gradients, from the user's option down to the math</h2>
 * <dl>
 * <dt>{@code org.dl4jnode.conf.GradientMode}</dt>
 * <dd>what a user picks on a layer's builder, {@code gradient(GradientMode.ADJOINT)}: {@code BACKPROP},
 *     {@code ADJOINT} or {@code CHECKPOINTED}.</dd>
 * <dt>{@code org.dl4jnode.conf.GradientComputation}</dt>
 * <dd>that choice with its settings (the adjoint's tolerances and seminorm, the checkpoints' memory
 *     budget), the immutable value a layer's JSON stores.</dd>
 * <dt>{@link org.dl4jnode.samediff.runtime.GradientMethod}</dt>
 * <dd>what a solve is given, made from the layer's computation in one place (the runtime layer's
 *     {@code LayerSolve}): {@code GradientMethod.backprop()}, {@code adjoint(...)},
 *     {@code adjointWithSeminorm(...)} or {@code checkpointed(bytes)}, implemented by the package's
 *     {@code Backprop}, {@code Adjoint} and {@code Checkpointed}.</dd>
 * <dt>{@link org.dl4jnode.samediff.runtime.DiscreteBackprop}</dt>
 * <dd>the math of backprop and of the checkpointed gradient: the recorded Runge-Kutta steps reversed
 *     with the field's vector-Jacobian products, the exact gradient of the discrete solve.</dd>
 * <dt>{@link org.dl4jnode.samediff.runtime.AdjointSolve}</dt>
 * <dd>the math of the adjoint: the augmented system [h, a, thetaBar] solved from t1 back to t0, the
 *     gradient of the exact flow to the solves' error. (Release 0.1.0 called it {@code AdjointBackprop}.)</dd>
 * </dl>
 *
 * <h2>Evaluating the field</h2>
 * {@link org.dl4jnode.samediff.runtime.FieldFunction} evaluates f and its vector-Jacobian products
 * from one SameDiff graph ({@code FieldGraph}, built once) with an explicit
 * {@link org.dl4jnode.samediff.runtime.Binding} of parameters and input. Its evaluations run as a
 * {@code CompiledGraph} replayed op by op ({@code GraphInstance}s planned per shape and kept in an
 * {@code InstancePool}; {@code GraphRewrite} and {@code InstanceRewrites} swap ops for faster
 * equivalents), or through SameDiff's session when the replay cannot run the graph
 * ({@code FieldProgram} decides).
 */
package org.dl4jnode.samediff.runtime;
