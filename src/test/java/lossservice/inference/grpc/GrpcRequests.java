package lossservice.inference.grpc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;

import lossservice.grpc.v2.InferParameter;
import lossservice.grpc.v2.InferTensorContents;
import lossservice.grpc.v2.ModelInferRequest;
import lossservice.grpc.v2.ModelInferResponse;
import lossservice.inference.V2Requests;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A JSON request of the catalogue as a gRPC {@code ModelInferRequest}, by the contract's mapping (arrays as input
 * tensors in snake_case, INT64 when every number is a JSON integer, else FP32 or FP64 for a float64 request; scalars
 * as parameters of their JSON type; {@code include} as the outputs plus {@code loss}), with the data in
 * {@code raw_input_contents} or in the typed {@code contents}; and a response back in the JSON endpoint's form.
 */
final class GrpcRequests {

    private GrpcRequests() {
    }

    /** Whether every array of the request is rectangular and holds only numbers: what a tensor can carry. */
    static boolean representable(JsonNode request) {
        for (Map.Entry<String, JsonNode> field : request.properties()) {
            if (field.getValue().isArray() && !field.getKey().equals("include")) {
                List<Long> shape = shape(field.getValue());
                List<JsonNode> leaves = new ArrayList<>();
                if (!collect(field.getValue(), 0, shape, leaves) || !leaves.stream().allMatch(JsonNode::isNumber)) {
                    return false;
                }
            }
        }
        return true;
    }

    static ModelInferRequest convert(String model, JsonNode request, boolean raw) {
        boolean float64 = "float64".equals(request.path("dtype").asString(""));
        ModelInferRequest.Builder infer = ModelInferRequest.newBuilder().setModelName(model);
        for (Map.Entry<String, JsonNode> field : request.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.equals("include") && value.isArray()) {
                infer.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("loss"));
                value.forEach(output -> infer.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder()
                        .setName(V2Requests.snakeCase(output.asString()))));
            } else if (value.isArray()) {
                addInput(infer, V2Requests.snakeCase(name), value, float64, raw);
            } else if (!value.isNull()) {
                infer.putParameters(name.equals("dtype") ? "dtype" : V2Requests.snakeCase(name), parameter(value));
            }
        }
        return infer.build();
    }

    private static void addInput(ModelInferRequest.Builder infer, String name, JsonNode array, boolean float64,
            boolean raw) {
        List<Long> shape = shape(array);
        List<JsonNode> leaves = new ArrayList<>();
        collect(array, 0, shape, leaves);
        boolean integers = !leaves.isEmpty() && leaves.stream().allMatch(JsonNode::isIntegralNumber);
        String datatype = integers ? "INT64" : float64 ? "FP64" : "FP32";
        ModelInferRequest.InferInputTensor.Builder tensor = ModelInferRequest.InferInputTensor.newBuilder()
                .setName(name).setDatatype(datatype).addAllShape(shape);
        if (raw) {
            ByteBuffer bytes = ByteBuffer.allocate(leaves.size() * (datatype.equals("FP32") ? 4 : 8))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (JsonNode leaf : leaves) {
                switch (datatype) {
                    case "FP32" -> bytes.putFloat((float) leaf.doubleValue());
                    case "FP64" -> bytes.putDouble(leaf.doubleValue());
                    default -> bytes.putLong(leaf.longValue());
                }
            }
            infer.addRawInputContents(ByteString.copyFrom(bytes.array()));
        } else {
            InferTensorContents.Builder contents = InferTensorContents.newBuilder();
            for (JsonNode leaf : leaves) {
                switch (datatype) {
                    case "FP32" -> contents.addFp32Contents((float) leaf.doubleValue());
                    case "FP64" -> contents.addFp64Contents(leaf.doubleValue());
                    default -> contents.addInt64Contents(leaf.longValue());
                }
            }
            tensor.setContents(contents);
        }
        infer.addInputs(tensor);
    }

    /** A parameter of the JSON value's type, as tritonclient sends it: floats as double_param. */
    static InferParameter parameter(JsonNode value) {
        InferParameter.Builder parameter = InferParameter.newBuilder();
        if (value.isBoolean()) {
            parameter.setBoolParam(value.booleanValue());
        } else if (value.isIntegralNumber() && value.canConvertToLong()) {
            parameter.setInt64Param(value.longValue());
        } else if (value.isNumber()) {
            parameter.setDoubleParam(value.doubleValue());
        } else {
            parameter.setStringParam(value.isString() ? value.asString() : value.toString());
        }
        return parameter.build();
    }

    /** The response in the JSON endpoint's form (see {@link V2Requests#asJsonResponse}). */
    static ObjectNode asJsonResponse(ModelInferResponse response, List<String> jsonFields) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        Map<String, double[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        var outputs = json.putArray("outputs");
        for (int i = 0; i < response.getOutputsCount(); i++) {
            ModelInferResponse.InferOutputTensor output = response.getOutputs(i);
            outputs.addObject().put("name", output.getName());
            shapes.put(output.getName(), output.getShapeList().stream().mapToLong(Long::longValue).toArray());
            boolean fp64 = output.getDatatype().equals("FP64");
            double[] numbers;
            if (response.getRawOutputContentsCount() > 0) {
                ByteBuffer bytes = response.getRawOutputContents(i).asReadOnlyByteBuffer()
                        .order(ByteOrder.LITTLE_ENDIAN);
                numbers = new double[bytes.remaining() / (fp64 ? 8 : 4)];
                for (int j = 0; j < numbers.length; j++) {
                    numbers[j] = fp64 ? bytes.getDouble() : bytes.getFloat();
                }
            } else {
                numbers = fp64 ? output.getContents().getFp64ContentsList().stream().mapToDouble(Double::doubleValue)
                        .toArray() : output.getContents().getFp32ContentsList().stream()
                        .mapToDouble(Float::doubleValue).toArray();
            }
            values.put(output.getName(), numbers);
        }
        return V2Requests.asJsonResponse(json, values, shapes, V2Requests.jsonNames(jsonFields));
    }

    private static List<Long> shape(JsonNode array) {
        List<Long> shape = new ArrayList<>();
        for (JsonNode level = array; level != null && level.isArray(); level = level.size() > 0 ? level.get(0) : null) {
            shape.add((long) level.size());
        }
        return shape;
    }

    private static boolean collect(JsonNode node, int level, List<Long> shape, List<JsonNode> leaves) {
        if (level == shape.size()) {
            leaves.add(node);
            return !node.isArray();
        }
        if (!node.isArray() || node.size() != shape.get(level)) {
            return false;
        }
        boolean rectangular = true;
        for (JsonNode element : node) {
            rectangular &= collect(element, level + 1, shape, leaves);
        }
        return rectangular;
    }
}
