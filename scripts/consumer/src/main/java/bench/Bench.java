package bench;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.*;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jnode.conf.*;
import org.dl4jnode.listeners.NfeListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Seed 002's setting written with DL4J's own layers around an OdeLayer, trained on four fixed random minibatches of
 * 64 after 10 untimed ones: {@code base} (no ODE layer), {@code rk4} (RK4 x 2) or {@code dopri5} (DOPRI5 at 1e-3, the
 * adjoint). Arguments: the kind and the number of timed minibatches. Prints one RESULT line with the ODE layer's
 * field evaluations per timed minibatch (forward, and the backward pass's: the adjoint's augmented evaluations).
 */
public class Bench {
    public static void main(String[] args) {
        String kind = args[0];
        int iterations = Integer.parseInt(args[1]);
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(1).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(1e-3)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(16).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build());
        if (kind.equals("rk4")) {
            list.layer(new OdeLayer.Builder().field(VectorField.conv(16, 3)).solver(Solver.RK4).steps(2).build());
        } else if (kind.equals("dopri5")) {
            list.layer(new OdeLayer.Builder().field(VectorField.conv(16, 3)).solver(Solver.DOPRI5)
                    .tolerances(1e-3, 1e-3).gradient(GradientMode.ADJOINT).build());
        }
        MultiLayerConfiguration conf = list.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(1);
        DataSet[] batches = new DataSet[4];
        for (int i = 0; i < 4; i++) {
            int[] rows = new int[64];
            for (int j = 0; j < 64; j++) rows[j] = (i + j) % 10;
            batches[i] = new DataSet(Nd4j.rand(DataType.FLOAT, 64, 784), Nd4j.eye(10).castTo(DataType.FLOAT).getRows(rows));
        }
        for (int i = 0; i < 10; i++) net.fit(batches[i % 4]);
        NfeListener nfe = new NfeListener(Integer.MAX_VALUE);
        net.setListeners(nfe);
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) net.fit(batches[i % 4]);
        double seconds = (System.nanoTime() - start) / 1e9;
        double forward = nfe.history().stream().mapToLong(NfeListener.Iteration::forward).average().orElse(0);
        double backward = nfe.history().stream().mapToLong(NfeListener.Iteration::backward).average().orElse(0);
        System.out.printf("RESULT %s examples/s=%.1f (%d minibatches of 64, %.1f s) nfe_forward=%.1f nfe_backward=%.1f%n",
                kind, iterations * 64 / seconds, iterations, seconds, forward, backward);
    }
}
