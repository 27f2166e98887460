package lossservice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.google.protobuf.ByteString;

import lossservice.grpc.v2.InferParameter;
import lossservice.grpc.v2.ModelInferRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@link Payloads} requests as encoded {@code ModelInferRequest} messages of the Open Inference Protocol over
 * gRPC, for bench/grpc-load.cc: the JSON request's arrays as raw tensors ({@code raw_input_contents}; arrays of
 * JSON integers as INT64, others FP32), its scalars as parameters, and its {@code include} as the requested outputs
 * with {@code loss} first, the same arrays the JSON and binary HTTP payloads ask for.
 *
 * <p>{@code java -cp ... lossservice.bench.GrpcPayloads DIR MODEL NAME...} writes {@code DIR/NAME.grpc} from
 * {@code DIR/NAME.json}, and {@code DIR/NAME.grpc-framed}, the body of the HTTP/2 request that carries it.
 */
public final class GrpcPayloads {

    private GrpcPayloads() {
    }

    public static void main(String[] arguments) throws IOException {
        Path directory = Path.of(arguments[0]);
        String model = arguments[1];
        JsonMapper json = JsonMapper.builder().build();
        for (int i = 2; i < arguments.length; i++) {
            ModelInferRequest request = rawRequest(model,
                    json.readTree(Files.readAllBytes(directory.resolve(arguments[i] + ".json"))));
            Path file = directory.resolve(arguments[i] + ".grpc");
            byte[] message = request.toByteArray();
            Files.write(file, message);
            System.err.printf("%s %d bytes%n", file, Files.size(file));
            // The message as gRPC sends it in an HTTP/2 request's DATA: not compressed (0), its length (4 bytes,
            // big-endian), the message; for h2load, which sends a file as the body.
            byte[] framed = java.nio.ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length)
                    .put(message).array();
            Files.write(directory.resolve(arguments[i] + ".grpc-framed"), framed);
        }
    }

    /** The JSON loss request as raw tensors. */
    static ModelInferRequest rawRequest(String model, JsonNode body) {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model);
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            JsonNode value = field.getValue();
            String name = RawTensor.snakeCase(field.getKey());
            if (field.getKey().equals("include")) {
                request.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("loss"));
                value.forEach(output -> request.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder()
                        .setName(RawTensor.snakeCase(output.asString()))));
            } else if (value.isArray()) {
                RawTensor tensor = RawTensor.of(value, false);
                request.addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName(name)
                        .setDatatype(tensor.datatype()).addAllShape(tensor.shape()));
                request.addRawInputContents(ByteString.copyFrom(tensor.bytes()));
            } else if (value.isIntegralNumber()) {
                request.putParameters(name, InferParameter.newBuilder().setInt64Param(value.longValue()).build());
            } else if (value.isNumber()) {
                request.putParameters(name, InferParameter.newBuilder().setDoubleParam(value.doubleValue()).build());
            } else if (value.isBoolean()) {
                request.putParameters(name, InferParameter.newBuilder().setBoolParam(value.booleanValue()).build());
            } else if (value.isString()) {
                request.putParameters(name, InferParameter.newBuilder().setStringParam(value.asString()).build());
            }
        }
        return request.build();
    }
}
