package lossservice.bench;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;

import lossservice.loss.LossCall;
import lossservice.loss.LossResult;
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
 * The JSON endpoint's writing alone, for cross-entropy: the ND4J result of the payload (loss, smoothedTargets,
 * gradient, then the echoes, reduction, backend, dtype and shape) to JSON bytes with the service's streaming
 * writer ({@link LossHarness#encode}), into a reused in-memory buffer.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class EncodeBenchmark {

    @Param({"2x10", "32x1000", "256x1000", "4096x1000"})
    public String size;

    private LossHarness harness;
    private LossCall call;
    private LossResult result;
    private ByteArrayOutputStream out;

    @Setup
    public void setUp() {
        harness = new LossHarness(new CrossEntropy());
        call = harness.bind(Payloads.indexTargets(size));
        result = harness.computeChecked(call);
        out = new ByteArrayOutputStream();
        harness.encode(call, result, out);
        out = new ByteArrayOutputStream(out.size() + 1024);
    }

    @TearDown
    public void tearDown() {
        harness.close();
    }

    @Benchmark
    public int encode() {
        out.reset();
        harness.encode(call, result, out);
        return out.size();
    }
}
