/**
 * The ODE layers' configuration, as DL4J splits a layer into configuration, parameter initialiser
 * and runtime: {@link org.dl4jnode.conf.OdeLayer}, {@link org.dl4jnode.conf.GalerkinOdeLayer} and
 * {@link org.dl4jnode.conf.AugmentedOdeLayer} with their builders, and the values their JSON holds
 * ({@link org.dl4jnode.conf.Stepping}, {@link org.dl4jnode.conf.GradientComputation},
 * {@link org.dl4jnode.conf.SolveFailurePolicy}, {@link org.dl4jnode.conf.Augmentation}).
 *
 * <p>One job per class: {@link org.dl4jnode.conf.OdeLayerProperties} holds the JSON's fields and
 * accessors, {@link org.dl4jnode.conf.BaseOdeLayer} what they mean to DL4J and to the solve; the
 * builders' options are recorded by {@code AbstractOdeLayerBuilder} and checked together at
 * {@code build()} by {@code OdeLayerValidation} and {@code StepOptions}, the one place that also turns
 * the flat stepping and gradient options into their values (release 0.1.0's JSON, which wrote them
 * flat, is read through it by {@code Release010Options}). The names of the gradients are explained
 * in {@code org.dl4jnode.samediff.runtime}'s package documentation.
 */
package org.dl4jnode.conf;
