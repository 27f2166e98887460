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
import lossservice.grpc.v2.GRPCInferenceServiceGrpc;
import lossservice.grpc.v2.ModelInferRequest;
import lossservice.grpc.v2.ModelInferResponse;

/**
 * How far grpc-java alone gets on this machine: a bare server of the Open Inference Protocol whose
 * {@code ModelInfer} decodes the request and answers, without computing anything, an answer of the size the
 * service would send: {@code loss} as one FP32 number and every other requested output as an FP32 tensor of the
 * first input's shape, raw and zero-filled (kept per shape, so nothing is allocated per call beyond what grpc-java
 * does). It is built like the service's gRPC server (Netty, a fixed pool of call threads, the adaptive allocator,
 * the same flow-control window); with {@code direct} the calls run on the Netty event loops instead, which no
 * service that may wait can do.
 *
 * <p>{@code java -cp ... lossservice.bench.GrpcCeilingServer PORT [THREADS|direct]}
 */
public final class GrpcCeilingServer {

    private GrpcCeilingServer() {
    }

    public static void main(String[] arguments) throws IOException, InterruptedException {
        int port = Integer.parseInt(arguments[0]);
        String threads = arguments.length > 1 ? arguments[1] : "16";
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .maxInboundMessageSize(64 << 20)
                .flowControlWindow(1 << 20)
                .withChildOption(ChannelOption.ALLOCATOR, new AdaptiveByteBufAllocator())
                .addService(new FixedAnswers());
        if (threads.equals("direct")) {
            builder.directExecutor();
        } else {
            ExecutorService calls = Executors.newFixedThreadPool(Integer.parseInt(threads));
            builder.executor(calls);
        }
        Server server = builder.build().start();
        System.err.printf("gRPC ceiling on 127.0.0.1:%d (%s)%n", server.getPort(),
                threads.equals("direct") ? "calls on the event loops" : threads + " call threads");
        server.awaitTermination();
    }

    private static final class FixedAnswers extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

        private final Map<Long, ByteString> zeros = new ConcurrentHashMap<>();
        private final ByteString oneNumber = ByteString.copyFrom(new byte[Float.BYTES]);

        @Override
        public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> answer) {
            ModelInferRequest.InferInputTensor first = request.getInputs(0);
            long elements = 1;
            for (long dimension : first.getShapeList()) {
                elements *= dimension;
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
