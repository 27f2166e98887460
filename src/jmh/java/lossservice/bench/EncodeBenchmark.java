package lossservice.bench;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;

import lossservice.crossentropy.CrossEntropyLoss;
import lossservice.crossentropy.CrossEntropyResult;
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
 * The streaming encoder alone: the ND4J result of the payload (loss, smoothedTargets, gradient) to JSON
 * bytes, into a reused in-memory buffer.
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

    private CrossEntropyResult result;
    private CrossEntropyResultEncoder encoder;
    private ByteArrayOutputStream out;

    @Setup
    public void setUp() {
        result = new CrossEntropyLoss("cpu").compute(ReferenceCheck.decode(Payloads.indexTargets(size)));
        encoder = new CrossEntropyResultEncoder();
        out = new ByteArrayOutputStream();
        encoder.encode(result, out);
        out = new ByteArrayOutputStream(out.size() + 1024);
    }

    @Benchmark
    public int encode() {
        out.reset();
        encoder.encode(result, out);
        return out.size();
    }
}
