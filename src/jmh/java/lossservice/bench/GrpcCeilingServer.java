package lossservice.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.google.protobuf.ByteString;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.buffer.AdaptiveByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.stub.StreamObserver;
import lossservice.compute.ComputePool;
import lossservice.grpc.v2.GRPCInferenceServiceGrpc;
import lossservice.grpc.v2.ModelInferRequest;
import lossservice.grpc.v2.ModelInferResponse;
import lossservice.loss.LossCall;
import lossservice.losses.crossentropy.CrossEntropy;

import org.nd4j.linalg.api.memory.MemoryWorkspace;

/**
 * How far grpc-java alone gets on this machine: a bare server of the Open Inference Protocol whose
 * {@code ModelInfer} decodes the request and answers, without computing anything, an answer of the size the
 * service would send: {@code loss} as one FP32 number and every other requested output as an FP32 tensor of the
 * first input's shape, raw and zero-filled (kept per shape, so nothing is allocated per call beyond what grpc-java
 * does). It is built like the service's gRPC server (Netty, a fixed pool of call threads, the adaptive allocator,
 * the same flow-control window); with {@code direct} the calls run on the Netty event loops instead, which no
 * service that may wait can do.
 *
 * <p>With {@code +compute} after the threads ({@code 16+compute}), each call also runs the service's cross-entropy
 * kernel on a {@link ComputePool} of one thread per core, as the service does, on a call of the request's shape
 * bound once ({@link Payloads#indexTargets}), before the same fixed answer: grpc-java and the service's computation,
 * nothing else of the service.
 *
 * <p>With {@code +inline} instead, the kernel runs on the thread that runs the call (with {@code direct}, the Netty
 * event loop that read it: no hand-off at all), with a scratch of that thread's own.
 *
 * <p>{@code java -cp ... lossservice.bench.GrpcCeilingServer PORT [THREADS|direct][+compute|+inline]}
 */
public final class GrpcCeilingServer {

    private GrpcCeilingServer() {
    }

    public static void main(String[] arguments) throws IOException, InterruptedException {
        int port = Integer.parseInt(arguments[0]);
        String spec = arguments.length > 1 ? arguments[1] : "16";
        boolean compute = spec.endsWith("+compute");
        boolean inline = spec.endsWith("+inline");
        String threads = spec.replaceAll("\\+(compute|inline)$", "");
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .maxInboundMessageSize(64 << 20)
                .flowControlWindow(1 << 20)
                .withChildOption(ChannelOption.ALLOCATOR, new AdaptiveByteBufAllocator())
                .addService(new FixedAnswers(compute ? new ComputePool(Runtime.getRuntime().availableProcessors()) : null,
                        inline));
        if (threads.equals("direct")) {
            builder.directExecutor();
        } else {
            ExecutorService calls = Executors.newFixedThreadPool(Integer.parseInt(threads));
            builder.executor(calls);
        }
        Server server = builder.build().start();
        System.err.printf("gRPC ceiling on 127.0.0.1:%d (%s%s)%n", server.getPort(),
                threads.equals("direct") ? "calls on the event loops" : threads + " call threads",
                compute ? ", computing cross-entropy on a pool" : inline ? ", computing cross-entropy inline" : "");
        server.awaitTermination();
    }

    private static final CrossEntropy DEFINITION = new CrossEntropy();

    private static final class FixedAnswers extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

        private final Map<Long, ByteString> zeros = new ConcurrentHashMap<>();
        private final ByteString oneNumber = ByteString.copyFrom(new byte[Float.BYTES]);
        private final ComputePool pool;
        private final Map<Long, LossCall> calls = new ConcurrentHashMap<>();

        private final boolean inline;
        private final ThreadLocal<LossHarness> harnesses = ThreadLocal.withInitial(() -> new LossHarness(DEFINITION));

        FixedAnswers(ComputePool pool, boolean inline) {
            this.pool = pool;
            this.inline = inline;
        }

        @Override
        public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> answer) {
            ModelInferRequest.InferInputTensor first = request.getInputs(0);
            long elements = 1;
            for (long dimension : first.getShapeList()) {
                elements *= dimension;
            }
            if (pool != null || inline) {
                int n = (int) first.getShape(0);
                int c = (int) first.getShape(1);
                LossCall call = calls.computeIfAbsent(((long) n << 32) | c, key -> {
                    try (LossHarness binder = new LossHarness(DEFINITION)) {
                        return binder.bind(Payloads.indexTargets(n, c, Payloads.SEED));
                    }
                });
                if (inline) {
                    harnesses.get().compute(call);
                } else {
                    pool.compute(scratch -> {
                        try (MemoryWorkspace ignored = scratch.openWorkspace()) {
                            return DEFINITION.compute(call, scratch);
                        }
                    });
                }
            }
            ByteString tensor = zeros.computeIfAbsent(elements, n -> ByteString.copyFrom(new byte[(int) (n * 4)]));
            ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                    .setModelName(request.getModelName()).setModelVersion("1").setId(request.getId());
            for (ModelInferRequest.InferRequestedOutputTensor output : request.getOutputsList()) {
                boolean loss = output.getName().equals("loss");
                ModelInferResponse.InferOutputTensor.Builder tensorMetadata = ModelInferResponse.InferOutputTensor
                        .newBuilder().setName(output.getName()).setDatatype("FP32");
                if (!loss) {
                    tensorMetadata.addAllShape(first.getShapeList());
                }
                response.addOutputs(tensorMetadata).addRawOutputContents(loss ? oneNumber : tensor);
            }
            answer.onNext(response.build());
            answer.onCompleted();
        }
    }
}
