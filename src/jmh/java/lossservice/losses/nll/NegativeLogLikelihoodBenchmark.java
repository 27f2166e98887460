package lossservice.losses.nll;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import lossservice.compute.Scratch;
import lossservice.loss.DType;
import lossservice.loss.LossCall;
import lossservice.loss.LossResult;
import lossservice.loss.Reduction;
import lossservice.loss.Tensor;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The maths of nll alone, on a bound call: the definition's computation on a worker's {@link Scratch}
 * ({@code nd4j}, as the executor runs it) against the fused plain-Java reference ({@code fusedJava}), float32, mean
 * over class-weighted rows with about 5% ignored. {@code outputs}: "loss" is the default request (the loss alone),
 * "all" adds the per-sample losses and the gradient. Before measuring, the two must agree.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class NegativeLogLikelihoodBenchmark {

    static final long SEED = 20260101L;
    static final long IGNORE_INDEX = -100;

    @Param({"2x10", "256x1000"})
    public String size;

    @Param({"loss", "all"})
    public String outputs;

    private final NegativeLogLikelihood definition = new NegativeLogLikelihood();
    private Scratch scratch;
    private LossCall call;
    private int n;
    private int c;
    private float[] x;
    private long[] targets;
    private float[] weights;
    private boolean all;

    @Setup
    public void setUp() {
        String[] parts = size.split("x");
        n = Integer.parseInt(parts[0]);
        c = Integer.parseInt(parts[1]);
        all = outputs.equals("all");
        Random random = new Random(SEED);
        x = new float[n * c];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (Math.log(random.nextDouble()) - 1);
        }
        targets = new long[n];
        for (int i = 0; i < n; i++) {
            targets[i] = random.nextInt(20) == 0 ? IGNORE_INDEX : random.nextInt(c);
        }
        weights = new float[c];
        for (int k = 0; k < c; k++) {
            weights[k] = 0.5f + random.nextInt(8) / 4f;
        }
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put(NegativeLogLikelihood.LOG_PROBABILITIES, tensor(DType.FLOAT32, new int[] {n, c}, x));
        Tensor targetTensor = Tensor.allocate(DType.INT64, n);
        for (int i = 0; i < n; i++) {
            targetTensor.setLong(i, targets[i]);
        }
        inputs.put(NegativeLogLikelihood.TARGETS, targetTensor);
        inputs.put(NegativeLogLikelihood.CLASS_WEIGHTS, tensor(DType.FLOAT32, new int[] {c}, weights));
        call = new LossCall(DType.FLOAT32, Reduction.MEAN, inputs,
                Map.of(NegativeLogLikelihood.IGNORE_INDEX, IGNORE_INDEX), all
                        ? Set.of(NegativeLogLikelihood.PER_SAMPLE_LOSS, NegativeLogLikelihood.GRADIENT) : Set.of());
        scratch = new Scratch();
        requireAgreement(nd4j(), fusedJava());
    }

    @TearDown
    public void tearDown() {
        scratch.close();
    }

    @Benchmark
    public LossResult nd4j() {
        try (MemoryWorkspace ignored = scratch.openWorkspace()) {
            return definition.compute(call, scratch);
        }
    }

    @Benchmark
    public FusedNegativeLogLikelihood.Result fusedJava() {
        return FusedNegativeLogLikelihood.compute(x, n, c, targets, weights, IGNORE_INDEX, "mean", all, all);
    }

    /** Every value within {@code 1e-6 + 1e-5 |nd4j|}, the tolerance the service keeps against PyTorch. */
    static void requireAgreement(LossResult nd4j, FusedNegativeLogLikelihood.Result fused) {
        compare("loss", new double[] {nd4j.loss()}, new float[] {fused.loss()});
        compare("perSampleLoss", values(nd4j.outputs().get(NegativeLogLikelihood.PER_SAMPLE_LOSS)),
                fused.perSampleLoss());
        compare("gradient", values(nd4j.outputs().get(NegativeLogLikelihood.GRADIENT)), fused.gradient());
    }

    private static void compare(String what, double[] nd4j, float[] fused) {
        if (nd4j == null || fused == null) {
            if (nd4j != null || fused != null) {
                throw new AssertionError(what + ": one side is missing");
            }
            return;
        }
        if (nd4j.length != fused.length) {
            throw new AssertionError(what + ": " + nd4j.length + " vs " + fused.length + " values");
        }
        for (int i = 0; i < nd4j.length; i++) {
            if (!(Math.abs(nd4j[i] - fused[i]) <= 1e-6 + 1e-5 * Math.abs(nd4j[i]))) {
                throw new AssertionError("The fused reference disagrees with ND4J on " + what + "[" + i + "]: "
                        + nd4j[i] + " vs " + fused[i]);
            }
        }
    }

    private static double[] values(Tensor tensor) {
        if (tensor == null) {
            return null;
        }
        double[] values = new double[tensor.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = tensor.get(i);
        }
        return values;
    }

    private static Tensor tensor(DType dtype, int[] shape, float[] values) {
        Tensor tensor = Tensor.allocate(dtype, shape);
        for (int i = 0; i < values.length; i++) {
            tensor.setFloat(i, values[i]);
        }
        return tensor;
    }
}
