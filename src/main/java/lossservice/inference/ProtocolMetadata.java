package lossservice.inference;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.RequiredMode;

/** The metadata documents of the Open Inference Protocol, as served (snake_case is the protocol's). */
final class ProtocolMetadata {

    private ProtocolMetadata() {
    }

    @Schema(name = "InferenceServerMetadata", description = "GET /v2: who serves, and the protocol extensions it supports.")
    record Server(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "loss-service") String name,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "The service's version.") String version,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = """
                    The protocol extensions supported: `binary_tensor_data` (tensors as raw little-endian bytes \
                    after the JSON, sized by the `Inference-Header-Content-Length` header).""")
            List<String> extensions) {
    }

    @Schema(name = "InferenceModelMetadata", description = """
            GET /v2/models/cross-entropy: the model's inputs and outputs; -1 marks a variable dimension (N or C).""")
    record Model(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "cross-entropy") String name,
            @Schema(requiredMode = RequiredMode.REQUIRED) List<String> versions,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "What computes it.", example = "nd4j")
            String platform,
            @Schema(requiredMode = RequiredMode.REQUIRED) List<Tensor> inputs,
            @Schema(requiredMode = RequiredMode.REQUIRED) List<Tensor> outputs) {
    }

    @Schema(name = "InferenceTensorMetadata", description = """
            A tensor of the model: its name, its datatype (the preferred one where several are accepted) and its \
            shape, -1 for a variable dimension.""")
    record Tensor(
            @Schema(requiredMode = RequiredMode.REQUIRED) String name,
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"FP32", "FP64", "INT32", "INT64"})
            String datatype,
            @Schema(requiredMode = RequiredMode.REQUIRED) List<Long> shape) {
    }
}
