package lossservice.losses.kldivergence;

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
 * The maths of kl-divergence alone, on a bound call: the definition's computation on a worker's {@link Scratch}
 * ({@code nd4j}, as the executor runs it) against the fused plain-Java reference ({@code fusedJava}), float32
 * logits from N(0, 2^2), temperature 2, batchmean. {@code outputs}: "default" is what a request without
 * {@code include} gets (the teacher's probabilities), "all" every output. Before measuring, the two must agree.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class KlDivergenceBenchmark {

    static final long SEED = 20260101L;
    static final double TEMPERATURE = 2.0;

    @Param({"2x10", "256x1000"})
    public String size;

    @Param({"default", "all"})
    public String outputs;

    private final KlDivergence definition = new KlDivergence();
    private Scratch scratch;
    private LossCall call;
    private int n;
    private int c;
    private float[] student;
    private float[] teacher;
    private boolean all;

    @Setup
    public void setUp() {
        String[] parts = size.split("x");
        n = Integer.parseInt(parts[0]);
        c = Integer.parseInt(parts[1]);
        all = outputs.equals("all");
        Random random = new Random(SEED);
        student = new float[n * c];
        teacher = new float[n * c];
        for (int i = 0; i < student.length; i++) {
            student[i] = (float) (2 * random.nextGaussian());
            teacher[i] = (float) (2 * random.nextGaussian());
        }
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put(KlDivergence.STUDENT_LOGITS, tensor(student, n, c));
        inputs.put(KlDivergence.TEACHER_LOGITS, tensor(teacher, n, c));
        call = new LossCall(DType.FLOAT32, Reduction.BATCH_MEAN, inputs, Map.of(KlDivergence.TEMPERATURE, TEMPERATURE),
                all ? Set.of(KlDivergence.TEACHER_PROBABILITIES, KlDivergence.STUDENT_PROBABILITIES,
                        KlDivergence.PER_SAMPLE_LOSS, KlDivergence.GRADIENT)
                        : Set.of(KlDivergence.TEACHER_PROBABILITIES));
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
    public FusedKlDivergence.Result fusedJava() {
        return FusedKlDivergence.compute(student, teacher, n, c, TEMPERATURE, "batchmean", true, all, all, all);
    }

    /** Every value within {@code 1e-6 + 1e-5 |nd4j|}, the tolerance the service keeps against PyTorch. */
    static void requireAgreement(LossResult nd4j, FusedKlDivergence.Result fused) {
        compare("loss", new double[] {nd4j.loss()}, new float[] {fused.loss()});
        compare("teacherProbabilities", values(nd4j, KlDivergence.TEACHER_PROBABILITIES),
                fused.teacherProbabilities());
        compare("studentProbabilities", values(nd4j, KlDivergence.STUDENT_PROBABILITIES),
                fused.studentProbabilities());
        compare("perSampleLoss", values(nd4j, KlDivergence.PER_SAMPLE_LOSS), fused.perSampleLoss());
        compare("gradient", values(nd4j, KlDivergence.GRADIENT), fused.gradient());
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

    private static double[] values(LossResult result, String output) {
        Tensor tensor = result.outputs().get(output);
        if (tensor == null) {
            return null;
        }
        double[] values = new double[tensor.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = tensor.get(i);
        }
        return values;
    }

    private static Tensor tensor(float[] values, int n, int c) {
        Tensor tensor = Tensor.allocate(DType.FLOAT32, n, c);
        for (int i = 0; i < values.length; i++) {
            tensor.setFloat(i, values[i]);
        }
        return tensor;
    }
}
