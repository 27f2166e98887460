package lossservice.bench;

import java.io.ByteArrayInputStream;
import java.util.concurrent.TimeUnit;

import lossservice.crossentropy.CrossEntropyRequest;
import lossservice.crossentropy.CrossEntropyRequestDecoder;

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

/** The streaming decoder alone: request bytes (already in memory) to a validated request. */
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
    private CrossEntropyRequestDecoder decoder;

    @Setup
    public void setUp() {
        body = Payloads.indexTargets(size);
        decoder = new CrossEntropyRequestDecoder();
    }

    @Benchmark
    public CrossEntropyRequest decode() {
        return decoder.decode(new ByteArrayInputStream(body));
    }
}
