package org.dl4jnode.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small networks with an ODE layer in the middle, for tests: dense -> ODE -> softmax output. */
final class OdeNetworks {

    static final int N_IN = 4;
    static final int HIDDEN = 3;
    static final int CLASSES = 3;

    private OdeNetworks() {
    }

    static NeuralNetConfiguration.Builder base(DataType dataType, long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(dataType)
                .weightInit(WeightInit.XAVIER)
                .updater(dataType == DataType.DOUBLE ? new NoOp() : new Adam(1e-2));
    }

    static MultiLayerConfiguration multiLayer(Layer ode, DataType dataType, long seed) {
        return base(dataType, seed).list()
                .layer(new DenseLayer.Builder().nOut(HIDDEN).activation(Activation.TANH).build())
                .layer(ode)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(N_IN))
                .build();
    }

    static MultiLayerNetwork multiLayerNetwork(Layer ode, DataType dataType, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(multiLayer(ode, dataType, seed));
        net.init();
        return net;
    }

    static ComputationGraphConfiguration graph(Layer ode, DataType dataType, long seed) {
        return base(dataType, seed).graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nOut(HIDDEN).activation(Activation.TANH).build(), "in")
                .addLayer("ode", ode, "dense")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "ode")
                .setOutputs("out")
                .setInputTypes(InputType.feedForward(N_IN))
                .build();
    }

    static ComputationGraph computationGraph(Layer ode, DataType dataType, long seed) {
        ComputationGraph net = new ComputationGraph(graph(ode, dataType, seed));
        net.init();
        return net;
    }

    static INDArray features(int minibatch, DataType dataType, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(dataType, minibatch, N_IN).subi(0.5).muli(2);
    }

    static INDArray labels(int minibatch, DataType dataType, long seed) {
        INDArray labels = Nd4j.zeros(dataType, minibatch, CLASSES);
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < minibatch; i++) {
            labels.putScalar(i, r.nextInt(CLASSES), 1.0);
        }
        return labels;
    }

    /**
     * All of the gradients (dense, ODE and output layers) of the double network around {@code ode} (seed
     * {@code seed}; its parameters {@code params} when not null) on {@code minibatch} seeded examples.
     */
    static INDArray networkGradient(Layer ode, INDArray params, long seed, int minibatch) {
        MultiLayerNetwork net = multiLayerNetwork(ode, DataType.DOUBLE, seed);
        if (params != null) {
            net.setParams(params);
        }
        net.setInput(features(minibatch, DataType.DOUBLE, 3));
        net.setLabels(labels(minibatch, DataType.DOUBLE, 4));
        net.computeGradientAndScore();
        return net.gradient().gradient().dup();
    }

    /** Adds {@code scale} times a seeded normal draw to one parameter array of a layer, in place. */
    static void perturb(org.deeplearning4j.nn.api.Layer layer, String key, double scale, long seed) {
        INDArray param = layer.getParam(key);
        Nd4j.getRandom().setSeed(seed);
        param.addi(Nd4j.randn(param.dataType(), param.shape()).muli(scale));
    }

    /** DL4J's gradient check of a whole network (double precision), thresholds as for every ODE layer. */
    static boolean gradientsAreExact(MultiLayerNetwork net, long seed) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(net).input(features(5, DataType.DOUBLE, seed)).labels(labels(5, DataType.DOUBLE, seed + 1))
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
    }

    /**
     * As {@link #gradientsAreExact(MultiLayerNetwork, long)} on about {@code perParam} evenly spaced
     * entries of every parameter array: DL4J's way to keep checks of expensive layers affordable.
     */
    static boolean sampledGradientsAreExact(MultiLayerNetwork net, long seed, int perParam) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(net).input(features(5, DataType.DOUBLE, seed)).labels(labels(5, DataType.DOUBLE, seed + 1))
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).subset(true).maxPerParam(perParam));
    }

    /** DL4J's gradient check of a whole graph (double precision), thresholds as for every ODE layer. */
    static boolean gradientsAreExact(ComputationGraph net, long seed) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                .net(net).inputs(new INDArray[] {features(4, DataType.DOUBLE, seed)})
                .labels(new INDArray[] {labels(4, DataType.DOUBLE, seed + 1)})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
    }
}
