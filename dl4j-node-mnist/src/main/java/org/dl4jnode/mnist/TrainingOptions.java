package org.dl4jnode.mnist;

import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.Solver;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The options of an MNIST training command: the model's shape and training schedule, the data and where
 * the model goes. A picocli mixin, so {@code mnist-ode train} and the Spark program's {@code train} take
 * the same options with the same defaults.
 */
public final class TrainingOptions {

    @Option(names = "--model", defaultValue = "conv",
            description = "conv (conv stem and conv field) or mlp (dense stem and MLP field, quick); default ${DEFAULT-VALUE}")
    String model;
    @Option(names = "--epochs", description = "passes over the training set (default: 6 for conv, 3 for mlp)")
    Integer epochs;
    @Option(names = "--batch", defaultValue = "64", description = "minibatch size (default ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--solver", description = "EULER, MIDPOINT or RK4 (default: MIDPOINT for conv, RK4 for mlp)")
    Solver solver;
    @Option(names = "--steps", description = "fixed steps over [0, 1] (default: 1 for conv, 4 for mlp)")
    Integer steps;
    @Option(names = "--basis", description = "Galerkin basis of the field's weights, name:n (default: fourier:2)")
    String basis;
    @Option(names = "--width", description = "channels of the ODE state (conv) or its size (mlp) (default: 32 / 64)")
    Integer width;
    @Option(names = "--field-width", description = "hidden channels (conv) or width (mlp) of the field (default: 32 / 64)")
    Integer fieldWidth;
    @Option(names = "--lr", description = "Adam's learning rate (default: 3e-3 for conv, 1e-3 for mlp)")
    Double learningRate;
    @Option(names = "--lr-decay", description = "factor the learning rate decays by per epoch, smoothly (default: 0.5 for conv, 1 for mlp)")
    Double learningRateDecay;
    @Option(names = "--dropout", description = "probability of dropping each input of the softmax layer in training "
            + "(default: 0)")
    Double dropout;
    @Option(names = "--shift", description = "shift each training image by up to this many pixels along each axis, "
            + "at random, in [0, 4] (default: 1 for conv, 0 for mlp)")
    Integer shift;
    @Option(names = "--seed", defaultValue = "123", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--output", defaultValue = "mnist-ode.zip", description = "where to save the model (default ${DEFAULT-VALUE})")
    Path output;
    @Option(names = "--train-examples", defaultValue = "60000", description = "use the first N training images (default ${DEFAULT-VALUE})")
    int trainExamples;
    @Option(names = "--test-examples", defaultValue = "10000", description = "evaluate on the first N test images (default ${DEFAULT-VALUE})")
    int testExamples;
    @Option(names = "--progress-seconds", defaultValue = "15", description = "seconds between progress lines (default ${DEFAULT-VALUE})")
    double progressSeconds;

    /**
     * The model and schedule these options describe, checked.
     *
     * @throws CommandLine.ParameterException naming the bad option, for {@code command}
     */
    public MnistModels.Options modelOptions(CommandLine command) {
        MnistModels.Kind kind;
        try {
            kind = MnistModels.Kind.valueOf(model.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command, "--model must be conv or mlp, got " + model);
        }
        if (epochs(kind) < 1 || batch < 1 || trainExamples < 1 || trainExamples > 60_000 || testExamples < 1
                || testExamples > 10_000 || !(progressSeconds > 0)) {
            throw new CommandLine.ParameterException(command, "need --epochs >= 1, --batch >= 1, "
                    + "--train-examples in [1, 60000], --test-examples in [1, 10000], --progress-seconds > 0");
        }
        MnistModels.Options d = MnistModels.defaults(kind);
        try {
            return new MnistModels.Options(kind, width == null ? d.width() : width,
                    fieldWidth == null ? d.fieldWidth() : fieldWidth, d.kernel(),
                    basis == null ? d.basis() : Basis.parse(basis), solver == null ? d.solver() : solver,
                    steps == null ? d.steps() : steps, learningRate == null ? d.learningRate() : learningRate,
                    learningRateDecay == null ? d.learningRateDecay() : learningRateDecay,
                    dropout == null ? d.dropout() : dropout, shift == null ? d.shift() : shift, seed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command, e.getMessage());
        }
    }

    /** Passes over the training set: {@code --epochs}, or the default of the {@code kind} of model. */
    public int epochs(MnistModels.Kind kind) {
        return epochs != null ? epochs : MnistModels.defaultEpochs(kind);
    }

    public int batch() {
        return batch;
    }

    public Path output() {
        return output;
    }

    public int trainExamples() {
        return trainExamples;
    }

    public int testExamples() {
        return testExamples;
    }

    public double progressSeconds() {
        return progressSeconds;
    }
}
