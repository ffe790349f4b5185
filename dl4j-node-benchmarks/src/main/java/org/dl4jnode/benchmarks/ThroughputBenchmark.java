package org.dl4jnode.benchmarks;

import org.deeplearning4j.datasets.iterator.impl.MnistDataSetIterator;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.mnist.MnistFiles;
import org.dl4jnode.mnist.MnistModels;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Training and inference throughput of one model on MNIST, in this JVM: the DL4J side of
 * {@code scripts/benchmark.sh}, which runs every model in its own JVM (thread count set by
 * {@code OMP_NUM_THREADS}) next to the PyTorch peer {@code scripts/peer/ode_peer.py} and prints the
 * ratios.
 *
 * <p>Models: {@code mlp-ode} (DESIGN.md's reference: dense 784 -> 64, OdeLayer[mlp(64), RK4, 4 steps],
 * softmax 10, Adam 1e-3, minibatch 128), {@code galerkin} (the same with a GalerkinOdeLayer,
 * Fourier with 5 harmonics) and {@code conv} (the MNIST program's default model and minibatch); and
 * each without its ODE layer, {@code mlp-base} and {@code conv-base}, whose cost the benchmark
 * subtracts to give the ODE layer's own.
 * The minibatches are loaded before timing; the first {@code --warmup} train minibatches are not
 * timed. Prints one {@code RESULT} line: examples/s of training and of inference (forward only), the
 * heap's peak use and the process's peak resident set (heap and ND4J's off-heap memory).
 */
@Command(name = "throughput-benchmark", mixinStandardHelpOptions = true,
        description = "Training and inference examples/s of one ODE model on MNIST.")
public final class ThroughputBenchmark implements Callable<Integer> {

    @Option(names = "--model", defaultValue = "mlp-ode", description = "one of " + MODELS + " (default ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--examples", defaultValue = "60000", description = "timed training examples (default ${DEFAULT-VALUE})")
    int examples;
    @Option(names = "--warmup", defaultValue = "20", description = "untimed minibatches first (default ${DEFAULT-VALUE})")
    int warmup;
    @Option(names = "--blas-check", description = "print the GFLOP/s of ND4J's float products [128, 784] x [784, 64] "
            + "(the first layer's) and [128, 64] x [64, 64] (the field's) and exit")
    boolean blasCheck;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ThroughputBenchmark()).execute(args));
    }

    /** The model's configuration and its minibatch size. */
    record Model(MultiLayerConfiguration configuration, int batch) {
    }

    static Model model(String name) {
        return switch (name) {
            case "mlp-ode" -> new Model(mlpOde(Ode.PLAIN), 128);
            case "galerkin" -> new Model(mlpOde(Ode.GALERKIN), 128);
            case "mlp-base" -> new Model(mlpOde(Ode.NONE), 128);
            case "conv" -> new Model(conv(true), 64);
            case "conv-base" -> new Model(conv(false), 64);
            case "stock-dopri5" -> new Model(stockConv(StockOde.DOPRI5_ADJOINT), 64);
            case "stock-rk4" -> new Model(stockConv(StockOde.RK4), 64);
            case "stock-base" -> new Model(stockConv(StockOde.NONE), 64);
            default -> throw new IllegalArgumentException("--model must be one of " + MODELS + ", got " + name);
        };
    }

    /** Every model's name. */
    static final String MODELS = "mlp-ode, galerkin, mlp-base, conv, conv-base, stock-dopri5, stock-rk4, stock-base";

    /** Which ODE layer the mlp models have. */
    enum Ode { PLAIN, GALERKIN, NONE }

    /**
     * DESIGN.md's "mlp-ode": dense 784 -> 64 (identity), an ODE layer with an mlp(64) field, RK4 x 4,
     * softmax; with a Galerkin layer (Fourier, 5 harmonics), or without the ODE layer.
     */
    static MultiLayerConfiguration mlpOde(Ode kind) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(1).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(1e-3))
                .list()
                .layer(new DenseLayer.Builder().nOut(64).activation(Activation.IDENTITY).build());
        switch (kind) {
            case PLAIN -> list.layer(new OdeLayer.Builder().field(VectorField.mlp(64)).solver(Solver.RK4).steps(4)
                    .build());
            case GALERKIN -> list.layer(new GalerkinOdeLayer.Builder().field(VectorField.mlp(64))
                    .basis(Basis.fourier(5)).solver(Solver.RK4).steps(4).build());
            case NONE -> {
            }
        }
        return list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(784))
                .build();
    }

    /** The MNIST program's default model, with or without its ODE layer. */
    static MultiLayerConfiguration conv(boolean withOde) {
        return MnistModels.configuration(MnistModels.defaults(MnistModels.Kind.CONV), 938, withOde);
    }

    /** Which ODE layer the stock models have. */
    enum StockOde { DOPRI5_ADJOINT, RK4, NONE }

    /**
     * Seed 002's MNIST setting as a DL4J user writes it, with DL4J's own layers around the ODE layer:
     * {@code ConvolutionLayer 3x3 (1 -> 16, ReLU) -> max-pool 2 -> OdeLayer[conv(16, 3)] -> global average
     * pooling -> softmax 10}, Adam 1e-3. The ODE layer solves with DOPRI5 at rtol = atol = 1e-3 and the
     * adjoint, or with RK4 in 2 steps and backprop, or is left out.
     */
    static MultiLayerConfiguration stockConv(StockOde kind) {
        return switch (kind) {
            case DOPRI5_ADJOINT -> stockConv(new OdeLayer.Builder().field(VectorField.conv(16, 3))
                    .solver(Solver.DOPRI5).tolerances(1e-3, 1e-3).gradient(GradientMode.ADJOINT).build(), DataType.FLOAT);
            case RK4 -> stockConv(new OdeLayer.Builder().field(VectorField.conv(16, 3)).solver(Solver.RK4).steps(2)
                    .build(), DataType.FLOAT);
            case NONE -> stockConv(null, DataType.FLOAT);
        };
    }

    /** The stock model around {@code ode} (none when null), in {@code dataType}. */
    static MultiLayerConfiguration stockConv(org.deeplearning4j.nn.conf.layers.Layer ode, DataType dataType) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(1).dataType(dataType).weightInit(WeightInit.XAVIER).updater(new Adam(1e-3))
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(16).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .build());
        if (ode != null) {
            list.layer(ode);
        }
        return list.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1))
                .build();
    }

    @Override
    public Integer call() throws IOException {
        if (blasCheck) {
            System.out.printf(Locale.ROOT, "BLAS gflops=%.1f field_gflops=%.1f threads=%s%n", productGflops(784),
                    productGflops(64), System.getenv().getOrDefault("OMP_NUM_THREADS", "default"));
            return 0;
        }
        Model m = model(model);
        MnistFiles.ensureInstalled();
        List<DataSet> batches = new ArrayList<>();
        DataSetIterator it = new MnistDataSetIterator(m.batch(), 60_000, false, true, true, 1);
        while (it.hasNext() && batches.size() * m.batch() < examples + warmup * m.batch()) {
            batches.add(it.next());
        }
        MultiLayerNetwork net = new MultiLayerNetwork(m.configuration());
        net.init();
        for (int i = 0; i < warmup; i++) {
            net.fit(batches.get(i % batches.size()));
        }
        heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
        List<DataSet> timed = batches.subList(Math.min(warmup, batches.size() - 1), batches.size());
        long count = timed.stream().mapToLong(DataSet::numExamples).sum();

        long start = System.nanoTime();
        for (DataSet ds : timed) {
            net.fit(ds);
        }
        double train = count / ((System.nanoTime() - start) / 1e9);

        start = System.nanoTime();
        for (DataSet ds : timed) {
            net.output(ds.getFeatures(), false);
        }
        double infer = count / ((System.nanoTime() - start) / 1e9);

        long heapPeak = heapPools().stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        System.out.printf(Locale.ROOT, "RESULT side=dl4j model=%s threads=%s train_eps=%.1f infer_eps=%.1f "
                        + "heap_peak_mib=%.1f rss_peak_mib=%.1f examples=%d params=%d%n", model,
                System.getenv().getOrDefault("OMP_NUM_THREADS", "default"), train, infer, heapPeak / 1048576.0,
                rssPeakKib() / 1024.0, count, net.numParams());
        return 0;
    }

    /**
     * GFLOP/s of ND4J's [128, k] x [k, 64] float product into an existing 'f'-order array, as DL4J's dense
     * layers call it ({@code mmuli}); its overhead per call shows at k = 64.
     */
    private static double productGflops(int k) {
        INDArray a = Nd4j.randn(DataType.FLOAT, 128, k);
        INDArray b = Nd4j.randn(DataType.FLOAT, k, 64);
        INDArray c = Nd4j.createUninitialized(DataType.FLOAT, new long[]{128, 64}, 'f');
        int repeats = 200_000 / k;
        for (int i = 0; i < repeats / 10; i++) {
            a.mmuli(b, c);
        }
        long start = System.nanoTime();
        for (int i = 0; i < repeats; i++) {
            a.mmuli(b, c);
        }
        return 2.0 * 128 * k * 64 * repeats / (System.nanoTime() - start);
    }

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
    }

    /** VmHWM: the resident set's peak, heap and native memory together (Linux); -1 elsewhere. */
    private static long rssPeakKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
