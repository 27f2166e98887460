package lossservice.bench;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;

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
 * Decode, compute and encode back to back in one thread, without HTTP ({@link LossHarness#serve}: the reader and
 * binder, the ND4J computation in the worker's workspace with the executor's finiteness check, the writer): what a
 * cross-entropy request costs the service besides its HTTP stack and its compute pool. Compare with the sum of the
 * three separate benchmarks, and with the load script's latency at concurrency 1.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class PipelineBenchmark {

    @Param({"2x10", "32x1000", "256x1000", "4096x1000"})
    public String size;

    private byte[] body;
    private LossHarness harness;
    private ByteArrayOutputStream out;

    @Setup
    public void setUp() {
        body = Payloads.indexTargets(size);
        harness = new LossHarness(new CrossEntropy());
        out = new ByteArrayOutputStream(4 * body.length);
    }

    @TearDown
    public void tearDown() {
        harness.close();
    }

    @Benchmark
    public int decodeComputeEncode() {
        out.reset();
        harness.serve(body, out);
        return out.size();
    }
}
