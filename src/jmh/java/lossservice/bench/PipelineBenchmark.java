package lossservice.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;

import lossservice.crossentropy.CrossEntropyLoss;
import lossservice.crossentropy.CrossEntropyRequestDecoder;
import lossservice.crossentropy.CrossEntropyResultEncoder;

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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode, compute and encode back to back in one thread, without HTTP: what a request costs the service
 * besides its HTTP stack. Compare with the sum of the three separate benchmarks, and with the load
 * script's latency at concurrency 1.
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
    private CrossEntropyRequestDecoder decoder;
    private CrossEntropyLoss loss;
    private CrossEntropyResultEncoder encoder;
    private ByteArrayOutputStream out;

    @Setup
    public void setUp() {
        body = Payloads.indexTargets(size);
        decoder = new CrossEntropyRequestDecoder();
        loss = new CrossEntropyLoss("cpu");
        encoder = new CrossEntropyResultEncoder();
        out = new ByteArrayOutputStream(4 * body.length);
    }

    @Benchmark
    public int decodeComputeEncode() {
        out.reset();
        encoder.encode(loss.compute(decoder.decode(new ByteArrayInputStream(body))), out);
        return out.size();
    }
}
