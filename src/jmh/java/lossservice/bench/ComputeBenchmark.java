package lossservice.bench;

import java.util.concurrent.TimeUnit;

import lossservice.crossentropy.CrossEntropyLoss;
import lossservice.crossentropy.CrossEntropyRequest;
import lossservice.crossentropy.CrossEntropyResult;

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
 * The maths alone, on an already decoded request: the service's ND4J path ({@code nd4j}) against the
 * fused plain-Java reference ({@code fusedJava}). Before measuring, the two must agree on the payload.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class ComputeBenchmark {

    @Param({"2x10", "32x1000", "256x1000", "4096x1000"})
    public String size;

    private CrossEntropyRequest request;
    private CrossEntropyLoss nd4j;
    private FusedCrossEntropy fused;

    @Setup
    public void setUp() {
        request = ReferenceCheck.decode(Payloads.indexTargets(size));
        nd4j = new CrossEntropyLoss("cpu");
        fused = new FusedCrossEntropy("cpu");
        ReferenceCheck.requireAgreement(size, nd4j.compute(request), fused.compute(request));
    }

    @Benchmark
    public CrossEntropyResult nd4j() {
        return nd4j.compute(request);
    }

    @Benchmark
    public CrossEntropyResult fusedJava() {
        return fused.compute(request);
    }
}
