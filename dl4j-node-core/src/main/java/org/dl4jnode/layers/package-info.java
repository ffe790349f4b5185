/**
 * The ODE layers' runtime: {@link org.dl4jnode.layers.OdeLayer} serves every ODE layer
 * configuration (they differ in parameterisation only). It adapts DL4J's forward and backward passes
 * to one solve ({@code LayerSolve}: the field's graphs, the state's lift around the solve, the solve's
 * array pool), tells failures with the layer, the stepping and the cause ({@code SolveDiagnosis}), and
 * offers analysis calls (trajectories, the field's values and weights, {@link
 * org.dl4jnode.layers.LyapunovEstimator}, {@link org.dl4jnode.layers.IntegrationDepths}). Cast
 * {@code net.getLayer(i)} to it for those.
 */
package org.dl4jnode.layers;
