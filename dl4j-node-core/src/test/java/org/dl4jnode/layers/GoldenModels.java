package org.dl4jnode.layers;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the golden models that {@link SavedModelCompatibilityTest} restores: one trained network
 * per ODE layer configuration of {@link OdeLayerSerializationTest#layers()} (every layer type,
 * option and basis) as a {@code MultiLayerNetwork} and as a {@code ComputationGraph}, and a conv
 * field network, each saved with {@link ModelSerializer} (updater included) together with an input
 * ({@value #INPUT}) and the output it gave ({@value #OUTPUT}).
 *
 * <p>Run once per release of the saved form, never to "fix" a failing compatibility test: the files
 * in {@code src/test/resources/golden} are what users' saved models look like.
 * <pre>
 * mvn -B -q -pl dl4j-node-core test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.dl4jnode.layers.GoldenModels -Dexec.args=dl4j-node-core/src/test/resources/golden
 * </pre>
 */
public final class GoldenModels {

    static final String INPUT = "golden-input";
    static final String OUTPUT = "golden-output";

    private GoldenModels() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "dl4j-node-core/src/test/resources/golden");
        Files.createDirectories(dir);
        List<Layer> layers = OdeLayerSerializationTest.layers().toList();
        DataSet batch = new DataSet(OdeNetworks.features(8, DataType.FLOAT, 1), OdeNetworks.labels(8, DataType.FLOAT, 2));
        for (int i = 0; i < layers.size(); i++) {
            String name = String.format("%02d-%s", i, describe(layers.get(i)));
            save(OdeNetworks.multiLayerNetwork(layers.get(i).clone(), DataType.FLOAT, 7), batch,
                    dir.resolve(name + "-mln.zip"));
            save(OdeNetworks.computationGraph(layers.get(i).clone(), DataType.FLOAT, 7), batch,
                    dir.resolve(name + "-cg.zip"));
        }
        Nd4j.getRandom().setSeed(3);
        DataSet images = new DataSet(Nd4j.rand(DataType.FLOAT, 4, 1, 4, 4), OdeNetworks.labels(4, DataType.FLOAT, 4));
        save(convNetwork(), images, dir.resolve(String.format("%02d-galerkin-conv-mln.zip", layers.size())));
        System.out.println("golden models written to " + dir);
    }

    private static String describe(Layer layer) {
        String name = layer.getLayerName();
        if (layer instanceof GalerkinOdeLayer g) {
            name += "-" + g.getBasis().getClass().getSimpleName().replace("Basis", "").toLowerCase();
        }
        return name;
    }

    /** conv stem (1 -> 2 channels, 4x4) -> Galerkin conv ODE layer -> softmax. */
    private static MultiLayerNetwork convNetwork() {
        MultiLayerConfiguration conf = OdeNetworks.base(DataType.FLOAT, 7).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.TANH).build())
                .layer(new GalerkinOdeLayer.Builder().name("conv").field(VectorField.conv(3, 3))
                        .basis(Basis.fourier(1)).solver(Solver.MIDPOINT).steps(2).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(OdeNetworks.CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(4, 4, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Three Adam steps (non-trivial weights and updater state), then the file with its input and output. */
    private static void save(Model model, DataSet batch, Path file) throws IOException {
        INDArray output;
        if (model instanceof MultiLayerNetwork net) {
            for (int i = 0; i < 3; i++) {
                net.fit(batch);
            }
            output = net.output(batch.getFeatures());
        } else {
            ComputationGraph net = (ComputationGraph) model;
            for (int i = 0; i < 3; i++) {
                net.fit(batch);
            }
            output = net.outputSingle(batch.getFeatures());
        }
        File f = file.toFile();
        ModelSerializer.writeModel(model, f, true);
        ModelSerializer.addObjectToFile(f, INPUT, batch.getFeatures());
        ModelSerializer.addObjectToFile(f, OUTPUT, output);
    }
}
