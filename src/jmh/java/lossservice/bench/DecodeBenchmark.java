package lossservice.bench;

import java.util.concurrent.TimeUnit;

import lossservice.loss.LossCall;
import lossservice.losses.crossentropy.CrossEntropy;

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
 * The JSON endpoint's reading alone, for cross-entropy: request bytes (already in memory) to a validated call,
 * through the streaming reader and the binder with the loss's own rules ({@link LossHarness#bind}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class DecodeBenchmark {

    @Param({"2x10", "32x1000", "256x1000", "4096x1000"})
    public String size;

    private byte[] body;
    private LossHarness harness;

    @Setup
    public void setUp() {
        body = Payloads.indexTargets(size);
        harness = new LossHarness(new CrossEntropy());
    }

    @TearDown
    public void tearDown() {
        harness.close();
    }

    @Benchmark
    public LossCall decode() {
        return harness.bind(body);
    }
}
