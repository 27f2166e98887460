package lossservice.apidocs;

import static lossservice.apidocs.Maps.list;
import static lossservice.apidocs.Maps.map;
import static lossservice.apidocs.Maps.ref;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import lossservice.loss.Example;
import lossservice.loss.InputSpec;
import lossservice.loss.LossDefinition;
import lossservice.loss.LossRegistry;
import lossservice.loss.Names;
import lossservice.loss.OutputSpec;
import lossservice.loss.ScalarSpec;
import lossservice.loss.Signature;

/**
 * The Open Inference Protocol's part of the OpenAPI document: its JSON form (the binary form is the same JSON
 * followed by raw bytes, declared as {@code application/octet-stream} and described in words), for every model,
 * written from the loss definitions.
 */
final class ProtocolDocs {

    static final String TAG = """
            The Open Inference Protocol (KServe V2, as NVIDIA Triton speaks it) with the binary tensor data \
            extension: every loss is the model of its name. What `tritonclient.http` and other V2 clients call. \
            Errors are `{"error": "..."}`, as these clients expect.""";

    static final String MAPPING = """
            each array field is an input tensor named in snake_case, each scalar a request parameter in snake_case, \
            each array of the answer an output in snake_case beside `loss`; the datatype of the first input decides \
            the precision (FP64: float64) unless the parameter `dtype` says; class indices are INT64 or INT32.""";

    private static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    private ProtocolDocs() {
    }

    static Map<String, Object> schemas(LossRegistry registry) {
        List<Object> models = new ArrayList<>(registry.all().stream().map(LossDefinition::name).toList());
        Map<String, Object> schemas = new LinkedHashMap<>();
        schemas.put("InferenceRequest", map(
                "type", "object",
                "description", "An inference request in its JSON form.",
                "required", list("inputs"),
                "properties", map(
                        "id", map("type", "string", "description", "Echoed in the response."),
                        "inputs", map("type", "array", "items", ref("InferenceRequestInput"),
                                "description", "The input tensors of the model, in any order."),
                        "outputs", map("type", "array", "items", ref("InferenceRequestOutput"),
                                "description", "The outputs to return, in this order; all of them when absent or"
                                        + " empty."),
                        "parameters", ref("InferenceParameters"))));
        schemas.put("InferenceParameters", map(
                "type", "object",
                "description", "The loss's scalar parameters in snake_case (see `GET /v1/losses`: `epsilon`,"
                        + " `label_smooth`, `ignore_index`, `num_classes`, `temperature`, `gamma`, `alpha`, ...),"
                        + " `reduction`, `dtype` (`float32` or `float64`), and the protocol's `binary_data_output`."
                        + " A parameter given as `null` takes its default.",
                "properties", map(
                        "reduction", map("type", "string", "enum", list("mean", "sum", "none", "batchmean")),
                        "dtype", map("type", "string", "enum", list("float32", "float64")),
                        "binary_data_output", map("type", "boolean", "default", false, "description",
                                "Send every output as binary data unless its own `binary_data` parameter says"
                                        + " otherwise.")),
                "additionalProperties", true));
        schemas.put("InferenceRequestInput", map(
                "type", "object",
                "description", "An input tensor: `data`, or a `binary_data_size` parameter and bytes after the JSON.",
                "required", list("name", "shape", "datatype"),
                "properties", map(
                        "name", map("type", "string", "description", "The input's JSON field in snake_case."),
                        "shape", map("type", "array", "items", map("type", "integer", "format", "int64",
                                "minimum", 0)),
                        "datatype", map("type", "string", "enum", list("FP32", "FP64", "INT32", "INT64")),
                        "parameters", map("type", "object", "properties", map("binary_data_size", map(
                                "type", "integer", "format", "int64", "minimum", 0, "description", "The tensor is"
                                        + " sent as this many bytes after the JSON (little-endian, row-major)"
                                        + " instead of `data`."))),
                        "data", map("$ref", ref("NumberArray").get("$ref"), "description", "The elements, row-major:"
                                + " flat, or nested as the shape; integers for INT32 and INT64."))));
        schemas.put("InferenceRequestOutput", map(
                "type", "object",
                "description", "An output to return: `loss` or an array of the loss in snake_case.",
                "required", list("name"),
                "properties", map(
                        "name", map("type", "string"),
                        "parameters", map("type", "object", "properties", map("binary_data", map("type", "boolean",
                                "description", "true: send it as binary data after the JSON; default: the request's"
                                        + " `binary_data_output`."))))));
        schemas.put("InferenceResponse", map(
                "type", "object",
                "description", "The requested outputs.",
                "required", list("model_name", "model_version", "outputs"),
                "properties", map(
                        "id", map("type", "string", "description", "The request's `id`, when it had one."),
                        "model_name", map("type", "string", "enum", models),
                        "model_version", map("type", "string", "examples", list("1")),
                        "outputs", map("type", "array", "items", ref("InferenceResponseOutput")))));
        schemas.put("InferenceResponseOutput", map(
                "type", "object",
                "description", "An output tensor: `data`, or a `binary_data_size` parameter and bytes after the JSON."
                        + " FP32, or FP64 for a float64 computation; an undefined `loss` or `gradient` has shape"
                        + " [0].",
                "required", list("name", "datatype", "shape"),
                "properties", map(
                        "name", map("type", "string"),
                        "datatype", map("type", "string", "enum", list("FP32", "FP64")),
                        "shape", map("type", "array", "items", map("type", "integer", "format", "int64",
                                "minimum", 0)),
                        "parameters", map("type", "object", "description", "Present when the output is binary.",
                                "properties", map("binary_data_size", map("type", "integer", "format", "int64",
                                        "minimum", 0, "description", "The output is this many bytes after the JSON"
                                                + " (little-endian, row-major), in the order of `outputs`."))),
                        "data", map("type", "array", "description", "The elements, flat and row-major, when not"
                                + " binary.", "items", map("type", "number")))));
        schemas.put("InferenceError", map(
                "type", "object",
                "description", "The protocol's error body.",
                "required", list("error"),
                "properties", map("error", map("type", "string"))));
        schemas.put("InferenceServerMetadata", map(
                "type", "object",
                "description", "Who serves, and the protocol extensions it supports.",
                "required", list("name", "version", "extensions"),
                "properties", map(
                        "name", map("type", "string", "examples", list("loss-service")),
                        "version", map("type", "string", "description", "The service's version."),
                        "extensions", map("type", "array", "items", map("type", "string"), "description",
                                "`binary_tensor_data` and `model_repository`."))));
        schemas.put("InferenceModelMetadata", map(
                "type", "object",
                "description", "A model's inputs and outputs; -1 marks a variable dimension (of the smallest rank"
                        + " each takes).",
                "required", list("name", "versions", "platform", "inputs", "outputs"),
                "properties", map(
                        "name", map("type", "string", "enum", models),
                        "versions", map("type", "array", "items", map("type", "string")),
                        "platform", map("type", "string", "examples", list("nd4j")),
                        "inputs", map("type", "array", "items", ref("InferenceTensorMetadata")),
                        "outputs", map("type", "array", "items", ref("InferenceTensorMetadata")))));
        schemas.put("InferenceTensorMetadata", map(
                "type", "object",
                "description", "A tensor of the model: its name, its datatype (the preferred one where several are"
                        + " accepted) and its shape, -1 for a variable dimension.",
                "required", list("name", "datatype", "shape"),
                "properties", map(
                        "name", map("type", "string"),
                        "datatype", map("type", "string", "enum", list("FP32", "FP64", "INT32", "INT64")),
                        "shape", map("type", "array", "items", map("type", "integer", "format", "int64")))));
        schemas.put("InferenceRepositoryModel", map(
                "type", "object",
                "description", "A model of the repository and its state.",
                "required", list("name", "version", "state"),
                "properties", map(
                        "name", map("type", "string", "enum", models),
                        "version", map("type", "string"),
                        "state", map("type", "string", "enum", list("READY", "UNAVAILABLE")))));
        return schemas;
    }

    static Map<String, Object> paths(LossRegistry registry, List<String> models) {
        Map<String, Object> modelName = map("name", "model_name", "in", "path", "required", true,
                "description", "A loss of the catalogue.", "schema", map("type", "string", "enum",
                        new ArrayList<Object>(models)));
        Map<String, Object> notFound = error("An unknown model.");
        Map<String, Object> paths = new LinkedHashMap<>();
        paths.put("/v2", map("get", map(
                "tags", list(LossApiDocs.PROTOCOL_TAG),
                "summary", "Server metadata",
                "description", "The server's name and version, and the protocol extensions it supports.",
                "operationId", "inferenceServerMetadata",
                "responses", withBodyLimit(map("200", map("description", "The server metadata.",
                        "content", map("application/json", map("schema", ref("InferenceServerMetadata")))))))));
        paths.put("/v2/health/live", map("get", map(
                "tags", list(LossApiDocs.PROTOCOL_TAG),
                "summary", "Liveness",
                "description", "200 as long as the process serves HTTP: what a liveness probe asks.",
                "operationId", "inferenceServerLive",
                "responses", withBodyLimit(map("200", map("description", "Live: an empty body."))))));
        paths.put("/v2/health/ready", map("get", map(
                "tags", list(LossApiDocs.PROTOCOL_TAG),
                "summary", "Readiness",
                "description", "200 once the backend is warmed up and until shutdown begins: what a readiness probe"
                        + " asks before sending inference requests.",
                "operationId", "inferenceServerReady",
                "responses", withBodyLimit(map("200", map("description", "Ready: the backend is warmed up and the"
                                + " service accepts traffic."),
                        "503", map("description", "Not ready (starting or shutting down)."))))));
        paths.put("/v2/repository/index", map("post", map(
                "tags", list(LossApiDocs.PROTOCOL_TAG),
                "summary", "The models of the repository",
                "description", "Every loss of the catalogue is a model, `READY` once the service is (the"
                        + " `model_repository` extension). A body, if any, is ignored.",
                "operationId", "inferenceRepositoryIndex",
                "responses", withBodyLimit(map("200", map("description", "Every model and its state.",
                                "content", map("application/json", map("schema", map("type", "array",
                                        "items", ref("InferenceRepositoryModel"))))),
                        "503", overloaded("Overloaded: like every POST, the request waits for a place in the compute"
                                + " pool, and is answered 503 (with `Retry-After`) when none frees up in time."))))));
        paths.put("/v2/models/{model_name}", map("get", map(
                "tags", list(LossApiDocs.PROTOCOL_TAG),
                "summary", "Model metadata",
                "description", "Also under `/v2/models/{model_name}/versions/1`.",
                "operationId", "inferenceModelMetadata",
                "parameters", list(modelName),
                "responses", withBodyLimit(map("200", map("description", "The model's inputs and outputs.",
                                "content", map("application/json", map("schema", ref("InferenceModelMetadata")))),
                        "404", notFound)))));
        paths.put("/v2/models/{model_name}/ready", map("get", map(
                "tags", list(LossApiDocs.PROTOCOL_TAG),
                "summary", "Model readiness",
                "description", "Also under `/v2/models/{model_name}/versions/1/ready`.",
                "operationId", "inferenceModelReady",
                "parameters", list(modelName),
                "responses", withBodyLimit(map("200", map("description", "Ready."),
                        "404", notFound,
                        "503", map("description", "Not ready (starting or shutting down)."))))));
        paths.put("/v2/models/{model_name}/infer", map("post", infer(registry, modelName, notFound)));
        return paths;
    }

    private static Map<String, Object> infer(LossRegistry registry, Map<String, Object> modelName,
            Map<String, Object> notFound) {
        Map<String, Object> examples = new LinkedHashMap<>();
        for (LossDefinition definition : registry.all()) {
            Example example = definition.examples().get(0);
            examples.put(definition.name(), map("summary", definition.name() + ": "
                    + example.summary(), "description", "The JSON example of `POST /v1/losses/" + definition.name()
                    + "`, as tensors; post it to the model `" + definition.name() + "`.",
                    "value", asTensors(definition, LossApiDocs.parse(example.request()))));
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        responses.put("200", map("description", "The requested outputs: `application/json` when every output is in"
                        + " JSON; `application/octet-stream` with an `" + HEADER_LENGTH + "` header (the length of"
                        + " the JSON part) when some are binary.",
                "headers", map(HEADER_LENGTH, map("description", "Present when outputs are binary: the length in"
                        + " bytes of the JSON part.", "schema", map("type", "integer", "minimum", 1))),
                "content", map(
                        "application/json", map("schema", ref("InferenceResponse")),
                        "application/octet-stream", map("schema", map("type", "string", "format", "binary",
                                "description", "The JSON response followed by the bytes of the binary outputs.")))));
        responses.put("400", error("A request the model cannot compute: malformed JSON, an unknown, missing or"
                + " repeated input, output or parameter, a datatype or shape the model does not take, data that does"
                + " not fit its shape, binary sizes that disagree with the shapes or the body, a bad `"
                + HEADER_LENGTH + "`, a value that breaks a rule of the loss (every violation is in the message), or"
                + " a result that overflows the precision."));
        responses.put("404", notFound);
        responses.put("405", error("Another method than POST (the answer has `Allow: POST`)."));
        responses.put("413", error("A body over `loss.limits.max-body-size` (decoded), or more elements than"
                + " `loss.limits.max-elements` in the inputs together."));
        responses.put("415", error("A `Content-Encoding` other than gzip, deflate or identity."));
        responses.put("503", overloaded("Overloaded (with `Retry-After`) or past `loss.limits.deadline`."));
        return map(
                "tags", list(LossApiDocs.PROTOCOL_TAG),
                "summary", "Inference with a loss",
                "description", """
                        Computes the loss `model_name` exactly as its JSON endpoint `POST /v1/losses/{model_name}` \
                        does (same rules, same numbers), from tensors. The mapping is mechanical: """ + MAPPING + """


                        **Binary tensor data.** With the `Inference-Header-Content-Length` header (the length of the \
                        JSON part) the body is the JSON request followed by the raw little-endian row-major bytes of \
                        each input that has a `binary_data_size` parameter, in the order of `inputs`; the \
                        Content-Type may be absent, `application/octet-stream` or `application/json`. An output is \
                        sent as binary when its `binary_data` parameter is true, or, without it, when the request's \
                        `binary_data_output` is true. Any mix of binary and JSON tensors works in one request. \
                        Request bodies compressed with `Content-Encoding: gzip` or `deflate` are accepted. Also \
                        under `/v2/models/{model_name}/versions/1/infer`.""",
                "operationId", "infer",
                "parameters", list(modelName, map("name", HEADER_LENGTH, "in", "header", "required", false,
                        "description", "With binary inputs: the length in bytes of the JSON part of the body.",
                        "schema", map("type", "integer", "minimum", 1))),
                "requestBody", map("required", true, "content", map(
                        "application/json", map("schema", ref("InferenceRequest"), "examples", examples),
                        "application/octet-stream", map("schema", map("type", "string", "format", "binary",
                                "description", "The JSON request followed by the bytes of the binary inputs."))))
                ,
                "responses", responses);
    }

    /**
     * The responses of an operation and the 413 that every request may get: the body size limit is checked, from
     * {@code Content-Length}, before any endpoint sees the request, whatever its method.
     */
    private static Map<String, Object> withBodyLimit(Map<String, Object> responses) {
        Map<String, Object> sorted = new TreeMap<>(responses);
        sorted.putIfAbsent("413", error("A body over `loss.limits.max-body-size` (64 MiB by default), known from"
                + " `Content-Length`."));
        return new LinkedHashMap<>(sorted);
    }

    private static Map<String, Object> overloaded(String description) {
        return map("description", description,
                "headers", map("Retry-After", map("description", CommonSchemas.RETRY_AFTER,
                        "schema", map("type", "integer", "minimum", 0))),
                "content", map("application/json", map("schema", ref("InferenceError"))));
    }

    private static Map<String, Object> error(String description) {
        return map("description", description, "content", map("application/json",
                map("schema", ref("InferenceError"))));
    }

    /** A JSON request of a loss as the protocol's request, by the contract's mapping (flat data, FP32 or INT64). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> asTensors(LossDefinition definition, Object request) {
        Signature signature = definition.signature();
        Map<String, Object> fields = (Map<String, Object>) request;
        List<Object> inputs = new ArrayList<>();
        Map<String, Object> parameters = new LinkedHashMap<>();
        List<Object> outputs = null;
        boolean float64 = "float64".equals(fields.get(Signature.DTYPE));
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            InputSpec input = signature.input(field.getKey());
            ScalarSpec scalar = signature.scalar(field.getKey());
            if (input != null) {
                List<Object> shape = new ArrayList<>();
                List<Object> data = new ArrayList<>();
                flatten(field.getValue(), shape, data, 0);
                boolean integers = data.stream().allMatch(value -> value instanceof Integer || value instanceof Long);
                inputs.add(map("name", input.tensorName(), "shape", shape,
                        "datatype", integers ? "INT64" : float64 ? "FP64" : "FP32", "data", data));
            } else if (scalar != null) {
                parameters.put(scalar.parameterName(), field.getValue());
            } else if (field.getKey().equals(Signature.INCLUDE)) {
                outputs = new ArrayList<>(List.of(map("name", Signature.LOSS)));
                for (Object name : (List<Object>) field.getValue()) {
                    OutputSpec output = signature.output((String) name);
                    outputs.add(map("name", output.tensorName()));
                }
            } else {
                parameters.put(Names.snakeCase(field.getKey()), field.getValue());
            }
        }
        return map("inputs", inputs, "outputs", outputs, "parameters", parameters.isEmpty() ? null : parameters);
    }

    @SuppressWarnings("unchecked")
    private static void flatten(Object value, List<Object> shape, List<Object> data, int level) {
        if (value instanceof List<?> list) {
            if (shape.size() == level) {
                shape.add(list.size());
            }
            for (Object element : list) {
                flatten(element, shape, data, level + 1);
            }
        } else {
            data.add(value);
        }
    }
}
