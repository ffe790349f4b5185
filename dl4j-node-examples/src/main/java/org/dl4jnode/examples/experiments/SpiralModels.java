package org.dl4jnode.examples.experiments;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.function.Supplier;

/**
 * Seed 004's two-spiral classifiers, as its part 2 builds them in PyTorch.
 *
 * <ul>
 *   <li><b>ODE</b>: a linear lift 2 -> 6, an ODE on the 6 dims whose field is
 *       {@code [t; y] -> 128 -> tanh -> 128 -> tanh -> 6} with the last layer zero-initialised (the
 *       block starts as the identity), solved on [0, 1] with Euler or RK4 in {@code steps} steps, and
 *       the classifier {@code 6 -> 64 -> ReLU -> 2}.</li>
 *   <li><b>ResNet</b>: the same lift and classifier around {@code steps} residual blocks
 *       {@code h += (1/steps) f_k(h)}, each {@code f_k} the field's network without time
 *       ({@code 6 -> 128 -> tanh -> 128 -> tanh -> 6}, last layer zero-initialised) with its own
 *       weights.</li>
 *   <li><b>ResNet, shared weights</b>: the same blocks with one set of weights: exactly the ODE
 *       layer with Euler steps and a field without time, which is how it is built here.</li>
 *   <li><b>small ODE</b> (not the seed's; kept as a parameter-efficiency row): a learned lift to 6
 *       dims inside an {@code AugmentedOdeLayer}, an {@code mlp(32)} field, RK4 in 10 steps, and a
 *       softmax straight on the final state.</li>
 * </ul>
 * All in float32 with Adam; DL4J's Xavier initialisation elsewhere.
 */
public final class SpiralModels {

    /** Dimensions of the lifted state. */
    public static final int LIFTED = 6;
    /** Width of the field's (and each block's) two hidden layers. */
    public static final int HIDDEN = 128;
    /** Width of the classifier's hidden layer. */
    public static final int HEAD = 64;

    private SpiralModels() {
    }

    /**
     * One model of the comparison.
     *
     * @param key      a short name for the command line ({@code --models})
     * @param name     the table's name
     * @param gradient how its gradients are computed: BACKPROP, ADJOINT, or BACKPROP for the ResNet
     * @param build    a fresh, initialised network
     */
    public record Candidate(String key, String name, GradientMode gradient, Supplier<Model> build) {
    }

    /** Every model of the comparison, with {@code steps} solver steps and ResNet blocks. */
    public static List<Candidate> all(int steps, double learningRate, long seed) {
        return List.of(
                new Candidate("ode-euler", "ODE, Euler " + steps, GradientMode.BACKPROP,
                        () -> ode(Solver.EULER, steps, GradientMode.BACKPROP, learningRate, seed)),
                new Candidate("ode-euler-adjoint", "ODE, Euler " + steps, GradientMode.ADJOINT,
                        () -> ode(Solver.EULER, steps, GradientMode.ADJOINT, learningRate, seed)),
                new Candidate("ode-rk4", "ODE, RK4 " + steps, GradientMode.BACKPROP,
                        () -> ode(Solver.RK4, steps, GradientMode.BACKPROP, learningRate, seed)),
                new Candidate("ode-rk4-adjoint", "ODE, RK4 " + steps, GradientMode.ADJOINT,
                        () -> ode(Solver.RK4, steps, GradientMode.ADJOINT, learningRate, seed)),
                new Candidate("resnet", "ResNet, " + steps + " blocks", GradientMode.BACKPROP,
                        () -> resNet(steps, learningRate, seed)),
                new Candidate("resnet-shared", "ResNet, " + steps + " shared", GradientMode.BACKPROP,
                        () -> sharedResNet(steps, learningRate, seed)),
                new Candidate("ode-small", "small ODE, RK4 10", GradientMode.BACKPROP,
                        () -> smallOde(learningRate, seed)));
    }

    /** The candidate called {@code key}, or an IllegalArgumentException listing the keys. */
    public static Candidate byKey(List<Candidate> candidates, String key) {
        return candidates.stream().filter(c -> c.key().equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no model '" + key + "'; the models are "
                        + String.join(", ", candidates.stream().map(Candidate::key).toList())));
    }

    private static NeuralNetConfiguration.Builder base(double learningRate, long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER)
                .updater(new Adam(learningRate));
    }

    /** Lift, an ODE layer, the classifier. */
    private static MultiLayerNetwork liftOdeHead(Layer ode, double learningRate, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(base(learningRate, seed).list()
                .layer(lift())
                .layer(ode)
                .layer(new DenseLayer.Builder().nOut(HEAD).activation(Activation.RELU).build())
                .layer(softmax())
                .setInputType(InputType.feedForward(2))
                .build());
        net.init();
        return net;
    }

    /** Seed 004's ODE classifier. */
    public static MultiLayerNetwork ode(Solver solver, int steps, GradientMode gradient, double learningRate,
                                        long seed) {
        return liftOdeHead(new OdeLayer.Builder().name("ode").field(VectorField.mlp(HIDDEN, HIDDEN).zeroInitLast(true))
                .solver(solver).steps(steps).gradient(gradient).build(), learningRate, seed);
    }

    /** The ResNet with one set of weights for all blocks: Euler steps of a field without time. */
    public static MultiLayerNetwork sharedResNet(int blocks, double learningRate, long seed) {
        return liftOdeHead(new OdeLayer.Builder().name("blocks").field(VectorField.mlp(HIDDEN, HIDDEN)
                .timeDependent(false).zeroInitLast(true)).solver(Solver.EULER).steps(blocks).build(), learningRate, seed);
    }

    /** The ResNet whose blocks have their own weights. */
    public static ComputationGraph resNet(int blocks, double learningRate, long seed) {
        ComputationGraphConfiguration.GraphBuilder g = base(learningRate, seed).graphBuilder().addInputs("in")
                .addLayer("lift", lift(), "in");
        String h = "lift";
        for (int k = 0; k < blocks; k++) {
            g.addLayer("a" + k, new DenseLayer.Builder().nOut(HIDDEN).activation(Activation.TANH).build(), h)
                    .addLayer("b" + k, new DenseLayer.Builder().nOut(HIDDEN).activation(Activation.TANH).build(), "a" + k)
                    .addLayer("f" + k, new DenseLayer.Builder().nOut(LIFTED).activation(Activation.IDENTITY)
                            .weightInit(WeightInit.ZERO).build(), "b" + k)
                    .addVertex("dtf" + k, new ScaleVertex(1.0 / blocks), "f" + k)
                    .addVertex("h" + (k + 1), new ElementWiseVertex(ElementWiseVertex.Op.Add), h, "dtf" + k);
            h = "h" + (k + 1);
        }
        ComputationGraph net = new ComputationGraph(g
                .addLayer("head", new DenseLayer.Builder().nOut(HEAD).activation(Activation.RELU).build(), h)
                .addLayer("out", softmax(), "head")
                .setOutputs("out").setInputTypes(InputType.feedForward(2)).build());
        net.init();
        return net;
    }

    /** The smaller ODE of this project's first spiral experiment. */
    public static MultiLayerNetwork smallOde(double learningRate, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(base(learningRate, seed).list()
                .layer(new AugmentedOdeLayer.Builder().name("ode").augmentation(Augmentation.inputLayer(LIFTED - 2))
                        .field(VectorField.mlp(32).zeroInitLast(true)).solver(Solver.RK4).steps(10).build())
                .layer(softmax())
                .setInputType(InputType.feedForward(2))
                .build());
        net.init();
        return net;
    }

    private static DenseLayer lift() {
        return new DenseLayer.Builder().nOut(LIFTED).activation(Activation.IDENTITY).build();
    }

    private static OutputLayer softmax() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX)
                .build();
    }
}
