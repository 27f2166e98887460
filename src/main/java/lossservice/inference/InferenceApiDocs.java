package lossservice.inference;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.RequiredMode;

/**
 * The Open Inference Protocol endpoints as the OpenAPI document describes them: the JSON form of the
 * protocol. The binary form (the binary tensor data extension) is the same JSON followed by raw bytes, which
 * OpenAPI cannot describe; the descriptions say how it works. These types are never instantiated.
 */
final class InferenceApiDocs {

    private InferenceApiDocs() {
    }

    static final String TAG = """
            The Open Inference Protocol (KServe V2, as NVIDIA Triton speaks it) for the model `cross-entropy`, with \
            the binary tensor data extension: what `tritonclient.http` and other V2 clients call. Errors are \
            `{"error": "..."}`, as these clients expect.""";

    static final String SERVER_METADATA = """
            The server's name and version, and the protocol extensions it supports: `binary_tensor_data`.""";

    static final String READY = """
            200 with an empty body once the ND4J backend is warmed up and the service accepts traffic; 503 while it \
            starts or shuts down. Also under `/v2/models/cross-entropy/versions/1/ready`.""";

    static final String MODEL_METADATA = """
            The inputs and outputs of `cross-entropy` with their datatypes and shapes, -1 for a variable dimension \
            (N rows, C classes). Where an input accepts several datatypes the metadata names the preferred one: \
            `logits` FP32 or FP64 [N, C]; `targets` INT64 or INT32 class indices [N], or FP32 or FP64 probabilities \
            [N, C]; `class_weights` (optional) FP32 or FP64 [C]. Every output is FP32. Also under \
            `/v2/models/cross-entropy/versions/1`.""";

    static final String INFER = """
            Computes `torch.nn.functional.cross_entropy` with label smoothing, exactly as \
            `POST /v1/losses/cross-entropy` does (same rules, same numbers), from tensors.

            **Inputs.** `logits` FP32 or FP64 [N, C] (N >= 1, C >= 2, every value finite in float32); `targets` \
            INT64 or INT32 [N] class indices in [0, C) or equal to `ignore_index`, or FP32 or FP64 [N, C] \
            probabilities (finite, >= 0); `class_weights` (optional) FP32 or FP64 [C], finite, >= 0. FP64 values \
            are rounded to float32, the precision of the computation. `data` is row-major, flat or nested as the \
            shape.

            **Parameters** (request `parameters`): `epsilon` (0.1, in [0, 1]), `label_smooth` (true; false makes \
            epsilon 0), `reduction` ("mean", "sum" or "none"), `ignore_index` (-100; only -100 with probability \
            targets), `num_classes` (optional; must equal C), `binary_data_output` (false).

            **Outputs**, all FP32, those listed in `outputs` in that order, or all of them when it lists none: \
            `loss` [1] (shape [0] when undefined: reduction "none", or a mean whose denominator is 0), \
            `smoothed_targets` [N, C], `per_sample_loss` [N], `probabilities` [N, C] and `gradient` [N, C] \
            (d loss / d logits; shape [0] when the loss is undefined).

            **Binary tensor data.** With the `Inference-Header-Content-Length` header (the length of the JSON \
            part) the body is the JSON request followed by the raw little-endian row-major bytes of each input \
            that has a `binary_data_size` parameter, in the order of `inputs`; the Content-Type may be absent, \
            `application/octet-stream` or `application/json`. An output is sent as binary when its \
            `binary_data` parameter is true, or, without it, when the request's `binary_data_output` is true; the \
            response is then `application/octet-stream` with its own `Inference-Header-Content-Length`, each binary \
            output having a `binary_data_size` parameter instead of `data`. Any mix of binary and JSON tensors \
            works in one request. Request bodies compressed with `Content-Encoding: gzip` or `deflate` are \
            accepted. Also under `/v2/models/cross-entropy/versions/1/infer`.""";

    static final String INFER_BODY = "An inference request (its JSON form; see the description for the binary form).";

    static final String INFER_200 = """
            The requested outputs. `application/json` when every output is in JSON; `application/octet-stream` with \
            an `Inference-Header-Content-Length` header when some are binary.""";

    static final String HEADER_LENGTH = "Present when outputs are binary: the length in bytes of the JSON part.";

    static final String INFER_400 = """
            A request the service cannot compute: malformed JSON, an unknown or missing input, output or \
            parameter, a datatype or shape the model does not take, data that does not fit its shape, binary sizes \
            that disagree with the shapes or the body, a bad `Inference-Header-Content-Length`, a value that breaks \
            a rule (class index out of range, negative probability or weight, epsilon outside [0, 1], a value not \
            finite in float32), or a result that overflows float32.""";

    static final String SERVER_METADATA_EXAMPLE = """
            {"name": "loss-service", "version": "0.1.0-SNAPSHOT", "extensions": ["binary_tensor_data"]}""";

    static final String MODEL_METADATA_EXAMPLE = """
            {
              "name": "cross-entropy",
              "versions": ["1"],
              "platform": "nd4j",
              "inputs": [
                {"name": "logits", "datatype": "FP32", "shape": [-1, -1]},
                {"name": "targets", "datatype": "INT64", "shape": [-1]},
                {"name": "class_weights", "datatype": "FP32", "shape": [-1]}
              ],
              "outputs": [
                {"name": "loss", "datatype": "FP32", "shape": [-1]},
                {"name": "smoothed_targets", "datatype": "FP32", "shape": [-1, -1]},
                {"name": "per_sample_loss", "datatype": "FP32", "shape": [-1]},
                {"name": "probabilities", "datatype": "FP32", "shape": [-1, -1]},
                {"name": "gradient", "datatype": "FP32", "shape": [-1, -1]}
              ]
            }""";

    static final String SEED_EXAMPLE = """
            {
              "id": "seed",
              "inputs": [
                {"name": "logits", "shape": [2, 10], "datatype": "FP32", "data": [
                  [0.29657506942749023, 0.3719976842403412, -0.7769638895988464, -0.34608492255210876,
                   -0.9752207398414612, 1.6493006944656372, 0.528856098651886, 0.5702930092811584,
                   1.2381970882415771, -0.4267520308494568],
                  [-0.94538414478302, -1.0840734243392944, 0.11295679211616516, 0.8149017691612244,
                   -0.28811436891555786, -1.1548830270767212, -0.1923118233680725, -0.38785624504089355,
                   0.22792109847068787, 2.011714220046997]]},
                {"name": "targets", "shape": [2], "datatype": "INT64", "data": [2, 5]}
              ],
              "parameters": {"epsilon": 0.1, "reduction": "mean"},
              "outputs": [{"name": "loss"}, {"name": "smoothed_targets"}]
            }""";

    static final String SOFT_TARGETS_EXAMPLE = """
            {
              "inputs": [
                {"name": "logits", "shape": [2, 3], "datatype": "FP64", "data": [2.0, 1.0, 0.1, 0.5, 2.5, -1.0]},
                {"name": "targets", "shape": [2, 3], "datatype": "FP32", "data": [0.7, 0.2, 0.1, 0.0, 0.9, 0.1]},
                {"name": "class_weights", "shape": [3], "datatype": "FP32", "data": [1.0, 2.0, 0.5]}
              ],
              "parameters": {"epsilon": 0.1, "reduction": "none"},
              "outputs": [{"name": "per_sample_loss"}, {"name": "gradient"}]
            }""";

    static final String SEED_RESPONSE_EXAMPLE = """
            {
              "id": "seed",
              "model_name": "cross-entropy",
              "model_version": "1",
              "outputs": [
                {"name": "loss", "datatype": "FP32", "shape": [1], "data": [3.6503465]},
                {"name": "smoothed_targets", "datatype": "FP32", "shape": [2, 10], "data": [
                  0.01, 0.01, 0.90999997, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01,
                  0.01, 0.01, 0.01, 0.01, 0.01, 0.90999997, 0.01, 0.01, 0.01, 0.01]}
              ]
            }""";

    static final String ERROR_EXAMPLE = """
            {"error": "targets[1]: class index 12 is outside [0, 10) and is not the ignoreIndex (-100)."}""";

    @Schema(name = "InferenceRequest", description = "An inference request in its JSON form.")
    record InferRequest(
            @Schema(description = "Echoed in the response.") String id,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "`logits`, `targets` and optionally"
                    + " `class_weights`, in any order.")
            List<RequestInput> inputs,
            @Schema(description = "The outputs to return, in this order; all of them when absent or empty.")
            List<RequestOutput> outputs,
            InferParameters parameters) {
    }

    @Schema(name = "InferenceParameters", description = "The loss's settings, and the binary output default.")
    record InferParameters(
            @Schema(defaultValue = "0.1", minimum = "0", maximum = "1", description = "Label smoothing factor.")
            Double epsilon,
            @Schema(defaultValue = "true", description = "false makes the effective epsilon 0.") Boolean label_smooth,
            @Schema(defaultValue = "mean", allowableValues = {"mean", "sum", "none"}) String reduction,
            @Schema(defaultValue = "-100", description = "Rows whose target equals it contribute nothing.")
            Long ignore_index,
            @Schema(minimum = "2", description = "When present it must equal C.") Long num_classes,
            @Schema(defaultValue = "false", description = "Send every output as binary data unless its own"
                    + " `binary_data` parameter says otherwise.")
            Boolean binary_data_output) {
    }

    @Schema(name = "InferenceRequestInput", description = "An input tensor: `data`, or `binary_data_size` and bytes.")
    record RequestInput(
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"logits", "targets", "class_weights"})
            String name,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "[N, C], [N] or [C].") List<Long> shape,
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"FP32", "FP64", "INT32", "INT64"})
            String datatype,
            InputParameters parameters,
            @Schema(types = "array", description = "The elements, row-major: flat, or nested as the shape.")
            Object data) {
    }

    @Schema(name = "InferenceRequestInputParameters")
    record InputParameters(
            @Schema(minimum = "0", description = "The tensor is sent as this many bytes after the JSON"
                    + " (little-endian, row-major) instead of `data`.")
            Long binary_data_size) {
    }

    @Schema(name = "InferenceRequestOutput", description = "An output to return.")
    record RequestOutput(
            @Schema(requiredMode = RequiredMode.REQUIRED,
                    allowableValues = {"loss", "smoothed_targets", "per_sample_loss", "probabilities", "gradient"})
            String name,
            OutputParameters parameters) {
    }

    @Schema(name = "InferenceRequestOutputParameters")
    record OutputParameters(
            @Schema(description = "true: send it as binary data after the JSON; default: the request's"
                    + " `binary_data_output`.")
            Boolean binary_data) {
    }

    @Schema(name = "InferenceResponse", description = "The requested outputs.")
    record InferResponse(
            @Schema(description = "The request's `id`, when it had one.") String id,
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "cross-entropy") String model_name,
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "1") String model_version,
            @Schema(requiredMode = RequiredMode.REQUIRED) List<ResponseOutput> outputs) {
    }

    @Schema(name = "InferenceResponseOutput", description = "An output tensor: `data`, or `binary_data_size` and bytes.")
    record ResponseOutput(
            @Schema(requiredMode = RequiredMode.REQUIRED) String name,
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = "FP32") String datatype,
            @Schema(requiredMode = RequiredMode.REQUIRED) List<Long> shape,
            @Schema(description = "Present when the output is binary.") OutputBinaryParameters parameters,
            @Schema(description = "The elements, flat and row-major, when not binary.") List<Float> data) {
    }

    @Schema(name = "InferenceResponseOutputParameters")
    record OutputBinaryParameters(
            @Schema(minimum = "0", description = "The output is this many bytes after the JSON (little-endian,"
                    + " row-major), in the order of `outputs`, instead of `data`.")
            Long binary_data_size) {
    }

    @Schema(name = "InferenceError", description = "The protocol's error body.")
    record Error(@Schema(requiredMode = RequiredMode.REQUIRED) String error) {
    }
}
