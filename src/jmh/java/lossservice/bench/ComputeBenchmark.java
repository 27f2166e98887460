package lossservice.bench;

import java.util.concurrent.TimeUnit;

import lossservice.loss.LossCall;
import lossservice.loss.LossDefinition;
import lossservice.loss.LossResult;

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
 * The maths alone, on a call bound once from the loss's payload: the service's ND4J path ({@code nd4j}:
 * {@code definition.compute(call, scratch)} inside {@code scratch.openWorkspace()}, as a compute worker runs it)
 * against the loss's fused plain-Java reference ({@code fusedJava}). Before measuring, the two must agree on the
 * payload ({@link ReferenceCheck}).
 *
 * <p>One concrete subclass per loss, beside the loss's other benchmarks in
 * {@code src/jmh/java/lossservice/losses/<name>/}, gives the three things that differ: {@link #definition()},
 * {@link #payload(String)} for each {@link #size} and {@link #fused()}. JMH generates the benchmarks of each
 * subclass ({@code lossservice.losses.crossentropy.CrossEntropyComputeBenchmark.nd4j}, ...), so
 * {@code -Djmh.args="ComputeBenchmark"} runs every loss's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public abstract class ComputeBenchmark {

    /** "NxC", which each loss's {@link #payload(String)} reads as it likes (both losses here: logits [N, C]). */
    @Param({"2x10", "32x1000", "256x1000", "4096x1000"})
    public String size;

    private LossHarness harness;
    private LossCall call;
    private FusedLoss fused;

    /** The loss, as the service defines it (a new instance: definitions hold no state). */
    protected abstract LossDefinition definition();

    /** The JSON request body of this size, the same bytes every time. */
    protected abstract byte[] payload(String size);

    /** The loss's plain-Java reference. */
    protected abstract FusedLoss fused();

    @Setup
    public void setUp() {
        harness = new LossHarness(definition());
        call = harness.bind(payload(size));
        fused = fused();
        ReferenceCheck.requireAgreement(harness.definition().name() + " " + size, harness.computeChecked(call),
                fused.compute(call));
    }

    @TearDown
    public void tearDown() {
        harness.close();
    }

    @Benchmark
    public LossResult nd4j() {
        return harness.compute(call);
    }

    @Benchmark
    public LossResult fusedJava() {
        return fused.compute(call);
    }
}
