package lossservice.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;

import lossservice.crossentropy.CrossEntropyLoss;
import lossservice.crossentropy.CrossEntropyRequest;
import lossservice.crossentropy.CrossEntropyRequestDecoder;
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
 * K-dimensional cross-entropy on a segmentation-like shape [N, C, H, W] (PASCAL VOC's 21 classes, 255 as
 * the ignoreIndex): decode (which moves the class axis last), compute (the 2-D maths on N*H*W rows) and
 * encode (which nests the results back), separately and back to back. Compare with the 2-D benchmarks at
 * the same number of logits: 8x21x32x32 has 172,032, like 172x1000.
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
    private CrossEntropyRequestDecoder decoder;
    private CrossEntropyLoss loss;
    private CrossEntropyResultEncoder encoder;
    private CrossEntropyRequest request;
    private CrossEntropyResult result;
    private ByteArrayOutputStream out;

    @Setup
    public void setUp() {
        String[] parts = shape.split("x");
        body = Payloads.segmentation(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                Integer.parseInt(parts[2]), Integer.parseInt(parts[3]), Payloads.SEED);
        decoder = new CrossEntropyRequestDecoder();
        loss = new CrossEntropyLoss("cpu");
        encoder = new CrossEntropyResultEncoder();
        request = decoder.decode(new ByteArrayInputStream(body));
        result = loss.compute(request);
        out = new ByteArrayOutputStream(4 * body.length);
    }

    @Benchmark
    public CrossEntropyRequest decode() {
        return decoder.decode(new ByteArrayInputStream(body));
    }

    @Benchmark
    public CrossEntropyResult compute() {
        return loss.compute(request);
    }

    @Benchmark
    public int encode() {
        out.reset();
        encoder.encode(result, out);
        return out.size();
    }

    @Benchmark
    public int decodeComputeEncode() {
        out.reset();
        encoder.encode(loss.compute(decoder.decode(new ByteArrayInputStream(body))), out);
        return out.size();
    }
}
