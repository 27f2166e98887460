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
 * K-dimensional cross-entropy on a segmentation-like shape [N, C, H, W] (PASCAL VOC's 21 classes, 255 as the
 * ignoreIndex): decode (read and bind, the logits kept in their nested order), compute (which moves the class axis
 * last, runs the 2-D maths on N*H*W rows and moves the results back) and encode (which nests them), separately and
 * back to back. Compare with the 2-D benchmarks at the same number of logits: 8x21x32x32 has 172,032, like
 * 172x1000.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class SegmentationBenchmark {

    @Param({"8x21x32x32"})
    public String shape;

    private byte[] body;
    private LossHarness harness;
    private LossCall call;
    private LossResult result;
    private ByteArrayOutputStream out;

    @Setup
    public void setUp() {
        String[] parts = shape.split("x");
        body = Payloads.segmentation(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                Integer.parseInt(parts[2]), Integer.parseInt(parts[3]), Payloads.SEED);
        harness = new LossHarness(new CrossEntropy());
        call = harness.bind(body);
        result = harness.computeChecked(call);
        out = new ByteArrayOutputStream(4 * body.length);
    }

    @TearDown
    public void tearDown() {
        harness.close();
    }

    @Benchmark
    public LossCall decode() {
        return harness.bind(body);
    }

    @Benchmark
    public LossResult compute() {
        return harness.compute(call);
    }

    @Benchmark
    public int encode() {
        out.reset();
        harness.encode(call, result, out);
        return out.size();
    }

    @Benchmark
    public int decodeComputeEncode() {
        out.reset();
        harness.serve(body, out);
        return out.size();
    }
}
