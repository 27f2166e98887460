package lossservice.apidocs;

import static lossservice.apidocs.Maps.list;
import static lossservice.apidocs.Maps.map;
import static lossservice.apidocs.Maps.orNull;
import static lossservice.apidocs.Maps.ref;
import static lossservice.apidocs.Maps.responseRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import lossservice.loss.Example;
import lossservice.loss.InputSpec;
import lossservice.loss.LossDefinition;
import lossservice.loss.LossRegistry;
import lossservice.loss.OutputSpec;
import lossservice.loss.Range;
import lossservice.loss.Reduction;
import lossservice.loss.ScalarSpec;
import lossservice.loss.Signature;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.tags.Tag;
import tools.jackson.databind.json.JsonMapper;

/**
 * The losses' part of the OpenAPI document, written from their definitions so that it cannot drift from what is
 * validated: for each loss its JSON endpoint (request and response schemas from its signature, its examples with the
 * service's answers, every error), and the Open Inference Protocol endpoints of every model. The controllers of
 * these endpoints are generic and hidden from springdoc's scan.
 */
@Configuration(proxyBeanMethods = false)
class LossApiDocs {

    static final String LOSSES_TAG = "losses";
    static final String PROTOCOL_TAG = "open-inference-protocol";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Bean
    OpenApiCustomizer lossOperations(LossRegistry registry,
            @Value("${loss.inference.server-version:unknown}") String version) {
        return openApi -> describe(openApi, registry, version);
    }

    private void describe(OpenAPI openApi, LossRegistry registry, String version) {
        openApi.getInfo().setVersion(version);
        List<String> models = registry.all().stream().map(LossDefinition::name).toList();
        Map<String, Object> schemas = new LinkedHashMap<>();
        Map<String, Object> paths = new LinkedHashMap<>();
        schemas.putAll(CommonSchemas.all());
        for (LossDefinition definition : registry.all()) {
            String pascal = pascalCase(definition.name());
            schemas.put(pascal + "Request", requestSchema(definition));
            schemas.put(pascal + "Response", responseSchema(definition));
            paths.put("/v1/losses/" + definition.name(), map("post", lossOperation(definition, pascal)));
        }
        schemas.putAll(ProtocolDocs.schemas(registry));
        paths.putAll(ProtocolDocs.paths(registry, models));
        Map<String, Object> responses = CommonSchemas.responses(models);
        // A shared schema no loss uses (IntegerArray while no loss takes class indices alone) is left out.
        CommonSchemas.all().keySet().stream()
                .filter(name -> !referenced(name, List.of(schemas, paths, responses)))
                .forEach(schemas::remove);

        if (openApi.getComponents() == null) {
            openApi.setComponents(new Components());
        }
        schemas.forEach((name, schema) -> openApi.getComponents()
                .addSchemas(name, Json31.mapper().convertValue(typesAsLists(schema), JsonSchema.class)));
        responses.forEach((name, response) -> openApi.getComponents()
                .addResponses(name, Json31.mapper().convertValue(typesAsLists(response), ApiResponse.class)));
        if (openApi.getPaths() == null) {
            openApi.setPaths(new Paths());
        }
        paths.forEach((path, item) -> openApi.getPaths()
                .addPathItem(path, Json31.mapper().convertValue(typesAsLists(item), PathItem.class)));
        openApi.addTagsItem(new Tag().name(LOSSES_TAG).description("""
                Every loss of the catalogue, each exactly as PyTorch (or torchvision) computes it, from JSON \
                arrays; `GET /v1/losses` lists them with their inputs, parameters and outputs."""));
        openApi.addTagsItem(new Tag().name(PROTOCOL_TAG).description(ProtocolDocs.TAG));
    }

    // ---- POST /v1/losses/{name} ---------------------------------------------------------------------------

    private static Map<String, Object> lossOperation(LossDefinition definition, String pascal) {
        Map<String, Object> requestExamples = new LinkedHashMap<>();
        Map<String, Object> responseExamples = new LinkedHashMap<>();
        for (Example example : definition.examples()) {
            requestExamples.put(example.name(), map("summary", example.summary(), "description",
                    example.description(), "value", parse(example.request())));
            if (example.response() != null) {
                responseExamples.put(example.name(), map("summary", "The answer to " + example.name() + ".",
                        "value", parse(example.response())));
            }
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        responses.put("200", map("description", "The loss, and the arrays `include` asked for.",
                "content", map("application/json", map("schema", ref(pascal + "Response"),
                        "examples", responseExamples.isEmpty() ? null : responseExamples))));
        responses.put("400", responseRef("MalformedJson"));
        responses.put("404", responseRef("NotFound"));
        responses.put("406", responseRef("NotAcceptable"));
        responses.put("413", responseRef("PayloadTooLarge"));
        responses.put("415", responseRef("UnsupportedMediaType"));
        responses.put("422", responseRef("Unprocessable"));
        responses.put("503", responseRef("Overloaded"));
        return map(
                "tags", list(LOSSES_TAG),
                "summary", definition.title(),
                "description", definition.description() + "\n\nPyTorch: `" + definition.reference()
                        + "`. Also the model `" + definition.name() + "` of the Open Inference Protocol (`/v2/models/"
                        + definition.name() + "/infer`): " + ProtocolDocs.MAPPING,
                "operationId", camelCase(definition.name()),
                "requestBody", map("required", true, "content", map("application/json",
                        map("schema", ref(pascal + "Request"), "examples", requestExamples))),
                "responses", responses);
    }

    private static Map<String, Object> requestSchema(LossDefinition definition) {
        Signature signature = definition.signature();
        Map<String, Object> properties = new LinkedHashMap<>();
        List<Object> required = new ArrayList<>();
        for (InputSpec input : signature.inputs()) {
            Map<String, Object> schema = inputSchema(input);
            schema.put("description", input.description());
            properties.put(input.name(), input.required() ? schema : withDescription(orNull(stripDescription(schema)),
                    input.description() + " `null` or absent: none."));
            if (input.required()) {
                required.add(input.name());
            }
        }
        for (ScalarSpec scalar : signature.scalars()) {
            properties.put(scalar.name(), scalarSchema(scalar, true));
        }
        properties.put(Signature.REDUCTION, withDescription(orNull(map("type", "string", "enum",
                new ArrayList<Object>(signature.reductionNames()))), "How the losses of the elements are reduced"
                + " (default `" + signature.defaultReduction().wireName() + "`)" + reductionNotes(signature) + "."));
        ((Map<String, Object>) ((List<?>) ((Map<?, ?>) properties.get(Signature.REDUCTION)).get("anyOf")).get(0))
                .put("default", signature.defaultReduction().wireName());
        properties.put(Signature.INCLUDE, map("type", list("array", "null"),
                "items", map("type", "string", "enum", new ArrayList<Object>(signature.outputNames())),
                "default", new ArrayList<Object>(signature.defaultOutputs()),
                "description", "The arrays to return besides the loss; `[]` returns none. With reduction `none` the"
                        + " unreduced losses are returned anyway."));
        properties.put(Signature.DTYPE, withDescription(orNull(map("type", "string", "enum", list("float32", "float64"),
                "default", "float32")), "The precision of the computation and of the numbers returned"
                + " (case-sensitive)."));
        return map(
                "type", "object",
                "description", "The request of `" + definition.name() + "`. Fields may come in any order; `null`"
                        + " for an optional field means its default; unknown fields and fields given twice are"
                        + " rejected (422).",
                "additionalProperties", false,
                "required", required,
                "properties", properties);
    }

    private static Map<String, Object> responseSchema(LossDefinition definition) {
        Signature signature = definition.signature();
        Map<String, Object> properties = new LinkedHashMap<>();
        List<Object> required = new ArrayList<>(List.of("loss"));
        properties.put("loss", map("type", list("number", "null"), "description", "The reduced loss; `null` for"
                + " reduction `none` and when a mean is undefined (its denominator is 0)."));
        for (OutputSpec output : signature.outputs()) {
            String when = output.unreduced() ? "Present when asked for, and always for reduction `none`. "
                    : "Present when asked for" + (output.byDefault() ? " (the default)" : "") + ". ";
            properties.put(output.name(), withDescription(output.name().equals("gradient")
                    ? orNull(ref("NumberArray")) : ref("NumberArray"), when + output.description()
                    + " Shape: " + output.shape().describe() + "."));
        }
        for (ScalarSpec echo : definition.echoFields()) {
            properties.put(echo.name(), scalarSchema(echo, false));
            required.add(echo.name());
        }
        properties.put("reduction", map("type", "string", "enum", new ArrayList<Object>(signature.reductionNames()),
                "description", "The reduction, as requested."));
        properties.put("backend", map("type", "string", "enum", list("cpu", "cuda"),
                "description", "The ND4J backend that computed it."));
        properties.put("dtype", map("type", "string", "enum", list("float32", "float64"),
                "description", "The precision the numbers were computed in."));
        properties.put("shape", map("type", "array", "items", map("type", "integer", "minimum", 1),
                "description", "The shape of `" + signature.firstInput().name() + "`."));
        required.addAll(List.of("reduction", "backend", "dtype", "shape"));
        return map(
                "type", "object",
                "description", "The answer of `" + definition.name() + "`: the loss, the arrays asked for, the"
                        + " parameters used. Numbers are float32 or float64 as `dtype`; none is NaN or infinite.",
                "required", required,
                "properties", properties);
    }

    /**
     * An input's schema: {@code IntegerArray} when its every form is class indices, else {@code NumberArray}, which
     * takes integers too (so indices-or-probabilities is exactly {@code NumberArray}; the description says which
     * forms, and the loss's rules tell them apart).
     */
    private static Map<String, Object> inputSchema(InputSpec input) {
        boolean indices = input.forms().stream().allMatch(form -> form.kind() == InputSpec.Kind.INDEX);
        return new LinkedHashMap<>(ref(indices ? "IntegerArray" : "NumberArray"));
    }

    /** Whether a schema of this name is referenced in these parts of the document, other than by itself. */
    private static boolean referenced(String name, List<Map<String, Object>> parts) {
        String reference = JSON.writeValueAsString(ref(name).get("$ref"));
        return parts.stream().flatMap(part -> part.entrySet().stream())
                .anyMatch(entry -> !entry.getKey().equals(name)
                        && JSON.writeValueAsString(entry.getValue()).contains(reference));
    }

    /** A scalar's schema; in a request it may be null (its default). */
    private static Map<String, Object> scalarSchema(ScalarSpec scalar, boolean nullable) {
        String type = switch (scalar.type()) {
            case NUMBER -> "number";
            case INTEGER -> "integer";
            case BOOLEAN -> "boolean";
        };
        Map<String, Object> schema = map("type", nullable ? list(type, "null") : type,
                "format", scalar.type() == ScalarSpec.Type.NUMBER ? "double"
                        : scalar.type() == ScalarSpec.Type.INTEGER ? "int64" : null,
                "default", nullable ? scalar.defaultValue() : null);
        Range range = scalar.range();
        if (range != null) {
            if (range.min() != null) {
                schema.put(range.minInclusive() ? "minimum" : "exclusiveMinimum", range.min());
            }
            if (range.max() != null) {
                schema.put(range.maxInclusive() ? "maximum" : "exclusiveMaximum", range.max());
            }
        }
        schema.put("description", scalar.description());
        return schema;
    }

    private static String reductionNotes(Signature signature) {
        return signature.reductions().contains(Reduction.BATCH_MEAN)
                ? ": `batchmean` divides the sum by N, `mean` by the number of elements" : "";
    }

    private static Map<String, Object> withDescription(Map<String, Object> schema, String description) {
        Map<String, Object> described = new LinkedHashMap<>(schema);
        described.put("description", description);
        return described;
    }

    private static Map<String, Object> stripDescription(Map<String, Object> schema) {
        Map<String, Object> stripped = new LinkedHashMap<>(schema);
        stripped.remove("description");
        return stripped;
    }

    /**
     * swagger-core reads an OpenAPI 3.1 schema's {@code type} into a set of types: a single type is given to it as a
     * list of one (it is written back as the single type). Examples are left as they are.
     */
    @SuppressWarnings("unchecked")
    private static Object typesAsLists(Object node) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> converted = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = (String) entry.getKey();
                Object value = entry.getValue();
                if (key.equals("type") && value instanceof String type) {
                    converted.put(key, List.of(type));
                } else if (key.equals("value") || key.equals("examples") && value instanceof List<?>
                        || key.equals("default") || key.equals("enum")) {
                    converted.put(key, value);
                } else {
                    converted.put(key, typesAsLists(value));
                }
            }
            return converted;
        }
        if (node instanceof List<?> list) {
            return list.stream().map(LossApiDocs::typesAsLists).toList();
        }
        return node;
    }

    static Object parse(String json) {
        return JSON.readValue(json, Object.class);
    }

    /** {@code binary-cross-entropy} -> {@code BinaryCrossEntropy}. */
    static String pascalCase(String name) {
        StringBuilder pascal = new StringBuilder();
        for (String part : name.split("-")) {
            pascal.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return pascal.toString();
    }

    /** {@code binary-cross-entropy} -> {@code binaryCrossEntropy}. */
    static String camelCase(String name) {
        String pascal = pascalCase(name);
        return Character.toLowerCase(pascal.charAt(0)) + pascal.substring(1);
    }
}
