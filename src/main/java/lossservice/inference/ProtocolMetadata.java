package lossservice.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import lossservice.loss.InputSpec;
import lossservice.loss.LossDefinition;
import lossservice.loss.OutputSpec;
import lossservice.loss.ShapeRule;
import lossservice.loss.Signature;

import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.RequiredMode;

/** The metadata documents of the Open Inference Protocol, as served (snake_case is the protocol's). */
public final class ProtocolMetadata {

    /** Every model has the one version. */
    public static final String VERSION = "1";
    public static final String PLATFORM = "nd4j";

    private ProtocolMetadata() {
    }

    /**
     * A loss as a model: its inputs with their preferred datatype (FP32 for numbers, INT64 for class indices; FP64
     * and INT32 are accepted too) and its outputs (FP32, or FP64 for a float64 computation), with -1 for each
     * variable dimension of their smallest rank.
     */
    public static Model model(LossDefinition definition) {
        Signature signature = definition.signature();
        List<Tensor> inputs = new ArrayList<>();
        for (InputSpec input : signature.inputs()) {
            InputSpec.Form form = input.forms().get(0);
            inputs.add(new Tensor(input.tensorName(), form.kind() == InputSpec.Kind.INDEX ? "INT64" : "FP32",
                    shape(signature, form.shape())));
        }
        List<Tensor> outputs = new ArrayList<>();
        // The loss has shape [1], or [0] when it is undefined.
        outputs.add(new Tensor(Signature.LOSS, "FP32", List.of(-1L)));
        for (OutputSpec output : signature.outputs()) {
            outputs.add(new Tensor(output.tensorName(), "FP32", shape(signature, output.shape())));
        }
        return new Model(definition.name(), List.of(VERSION), PLATFORM, inputs, outputs);
    }

    private static List<Long> shape(Signature signature, ShapeRule rule) {
        long[] shape = rule.metadataShape();
        if (shape == null) {
            InputSpec reference = signature.input(rule.references().get(0));
            return shape(signature, reference.forms().get(0).shape());
        }
        return Arrays.stream(shape).boxed().toList();
    }

    @Schema(name = "InferenceServerMetadata", description = "GET /v2: who serves, and the protocol extensions it supports.")
    public record Server(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "loss-service") String name,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "The service's version.") String version,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = """
                    The protocol extensions supported: `binary_tensor_data` (tensors as raw little-endian bytes \
                    after the JSON, sized by the `Inference-Header-Content-Length` header) and `model_repository` \
                    (`POST /v2/repository/index`).""")
            List<String> extensions) {
    }

    @Schema(name = "InferenceModelMetadata", description = """
            GET /v2/models/{model_name}: the model's inputs and outputs; -1 marks a variable dimension.""")
    public record Model(
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
    public record Tensor(
            @Schema(requiredMode = RequiredMode.REQUIRED) String name,
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"FP32", "FP64", "INT32", "INT64"})
            String datatype,
            @Schema(requiredMode = RequiredMode.REQUIRED) List<Long> shape) {
    }

    @Schema(name = "InferenceRepositoryModel", description = "A model of the repository and its state.")
    record RepositoryModel(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "cross-entropy") String name,
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "1") String version,
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"READY", "UNAVAILABLE"}) String state) {
    }
}
