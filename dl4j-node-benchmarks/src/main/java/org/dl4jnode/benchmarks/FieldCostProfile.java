package org.dl4jnode.benchmarks;

import org.dl4jnode.samediff.basis.FourierBasis;
import org.dl4jnode.samediff.field.ConvField;
import org.dl4jnode.samediff.field.MlpField;
import org.dl4jnode.samediff.param.GalerkinParameterization;
import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.runtime.EvaluationTape;
import org.dl4jnode.samediff.runtime.FieldFunction;
import org.dl4jnode.samediff.runtime.OpCost;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Where an ODE layer's time goes, per call: f and its vector-Jacobian product of an mlp field through
 * {@link FieldFunction} (its compiled SameDiff graph, replayed), every op of that graph timed alone,
 * the same arithmetic as direct ND4J calls, and single ND4J operations. With {@code --galerkin} the
 * field's weights are Galerkin coefficients (Fourier, 5 harmonics), as in the benchmark's
 * "galerkin" model. Run with {@code OMP_NUM_THREADS=1} to match the speed benchmark.
 */
@Command(name = "field-cost-profile", mixinStandardHelpOptions = true,
        description = "Microseconds per call of an mlp field: SameDiff vs. direct ND4J vs. single ops.")
public final class FieldCostProfile implements Callable<Integer> {

    @Option(names = "--width", defaultValue = "64", description = "state size and hidden width (default ${DEFAULT-VALUE})")
    int width;
    @Option(names = "--batch", defaultValue = "128", description = "minibatch size (default ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--calls", defaultValue = "2000", description = "timed calls per figure (default ${DEFAULT-VALUE})")
    int calls;
    @Option(names = "--galerkin", description = "Galerkin coefficients (Fourier) instead of plain weights")
    boolean galerkin;
    @Option(names = "--harmonics", defaultValue = "5", description = "Fourier harmonics with --galerkin (default ${DEFAULT-VALUE})")
    int harmonics;
    @Option(names = "--conv", description = "a conv field (3x3 kernels, --width channels in and hidden) on "
            + "[batch, width, size, size] images, as the MNIST program's, instead of an mlp field")
    boolean conv;
    @Option(names = "--size", defaultValue = "7", description = "the conv field's image height and width (default "
            + "${DEFAULT-VALUE}, the MNIST program's; 14: seed 002's stock model)")
    int size;

    private final PrintStream out;

    public FieldCostProfile() {
        this(System.out);
    }

    FieldCostProfile(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FieldCostProfile()).execute(args));
    }

    @Override
    public Integer call() {
        if (width < 1 || batch < 1 || calls < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--width, --batch and --calls must be >= 1");
        }
        Parameterization parameterization = galerkin
                ? new GalerkinParameterization(FourierBasis.of(harmonics), 0, 1, 0) : Parameterization.DIRECT;
        long[] stateShape = conv ? new long[] {width, size, size} : new long[] {width};
        FieldFunction f = new FieldFunction(conv ? ConvField.of(width, 3) : MlpField.of(width), parameterization,
                stateShape, DataType.FLOAT);
        Nd4j.getRandom().setSeed(1);
        Map<String, INDArray> p = new HashMap<>();
        for (ParamSpec spec : f.trainable()) {
            p.put(spec.key(), Nd4j.rand(DataType.FLOAT, spec.shape()).subi(0.5).muli(0.2));
        }
        f.bind(p);
        long[] batchShape = new long[stateShape.length + 1];
        batchShape[0] = batch;
        System.arraycopy(stateShape, 0, batchShape, 1, stateShape.length);
        INDArray h = Nd4j.rand(DataType.FLOAT, batchShape);
        INDArray a = Nd4j.rand(DataType.FLOAT, batchShape);
        out.printf("%s(%d) field%s on %s float32, microseconds per call%n", conv ? "conv" : "mlp", width,
                galerkin ? " with Galerkin weights (fourier:" + harmonics + ")" : "", Arrays.toString(batchShape));
        time("FieldFunction.evaluate", () -> f.evaluate(0.5, h));
        time("FieldFunction.vjp", () -> f.vjp(0.5, h, a));
        time("FieldFunction.evaluateWithVjp", () -> f.evaluateWithVjp(0.5, h, a));
        try (EvaluationTape tape = f.tape()) {
            INDArray k = tape.evaluate(0.5, h);
            time("EvaluationTape.vjp (backward half)", () -> tape.vjp(0.5, h, k, a));
        }
        out.printf("graph ops (%s), microseconds per execution%n", f.replaysGraph() ? "replayed" : "session only");
        double[] total = new double[2];
        for (OpCost c : f.opCosts(0.5, h, a, calls)) {
            out.printf("  %s %-14s %-24s %-14s %9.1f%n", c.forward() ? "fwd" : "bwd", c.op(), c.output(),
                    Arrays.toString(c.shape()), c.micros());
            total[c.forward() ? 0 : 1] += c.micros();
        }
        out.printf("  forward ops %.1f, backward ops %.1f%n", total[0], total[1]);
        if (galerkin || conv) {
            return 0;
        }
        INDArray w0 = p.get("W0");
        INDArray b0 = p.get("b0");
        INDArray wt = p.get(MlpField.TIME_WEIGHT_KEY);
        INDArray w1 = p.get("W1");
        INDArray b1 = p.get("b1");
        INDArray into = Nd4j.create(DataType.FLOAT, batch, width);
        out.println("the same arithmetic in direct ND4J calls, and single ops");
        time("f as direct ND4J calls", () -> Transforms.tanh(h.mmul(w0).addiRowVector(b0).addiRowVector(wt.mul(0.5)),
                false).mmul(w1).addiRowVector(b1));
        time("f and VJP as direct ND4J calls", () -> {
            INDArray act = Transforms.tanh(h.mmul(w0).addiRowVector(b0).addiRowVector(wt.mul(0.5)), false);
            act.transpose().mmul(a);
            a.sum(true, 0);
            INDArray dz = a.mmul(w1.transpose()).muli(act.mul(act).rsubi(1));
            h.transpose().mmul(dz);
            dz.sum(true, 0).mul(0.5);
            dz.mmul(w0.transpose());
        });
        time("op: mmul (new result)", () -> h.mmul(w0));
        time("op: gemm into an existing array", () -> Nd4j.gemm(h, w0, into, false, false, 1.0, 0.0));
        time("op: add row vector (broadcast)", () -> into.addiRowVector(b0));
        time("op: add same shape, in place", () -> into.addi(h));
        time("op: multiply by scalar (new)", () -> h.mul(0.5));
        time("op: tanh in place", () -> Transforms.tanh(into, false));
        time("op: column sums", () -> h.sum(true, 0));
        time("op: allocate [batch, width]", () -> Nd4j.create(DataType.FLOAT, batch, width));
        return 0;
    }

    private void time(String what, Runnable r) {
        for (int i = 0; i < Math.max(1, calls / 4); i++) {
            r.run();
        }
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            r.run();
        }
        out.printf("  %-36s %9.1f%n", what, (System.nanoTime() - start) / 1e3 / calls);
    }
}
