package lossservice;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every example of {@code openapi.yaml} is valid against its own schema, checked by a JSON Schema 2020-12 validator
 * with the OpenAPI 3.1 dialect (format assertions on), each schema evaluated where it stands in the document so that
 * its {@code $ref}s resolve into the document's components: the examples of every request body, response and header
 * (components included), of parameters, and the {@code examples} of every schema.
 */
class OpenApiExamplesTests {

    /** The document's address for the validator; nothing is fetched from it. */
    private static final String DOCUMENT = "https://loss-service.invalid/openapi.json";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> METHODS = Set.copyOf(OpenApiDocument.HTTP_METHODS);

    private static final JsonNode document = JSON.valueToTree(OpenApiDocument.committed());
    private static final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
            builder -> builder
                    .schemas(Map.of(DOCUMENT, JSON.writeValueAsString(document)))
                    .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

    /** An example, where it is in the document, and the JSON pointer of the schema it must satisfy. */
    record Example(String where, String schemaPointer, JsonNode value) {

        @Override
        public String toString() {
            return where;
        }
    }

    static Stream<Example> examples() {
        List<Example> examples = new ArrayList<>();
        JsonNode paths = document.path("paths");
        for (String path : paths.propertyNames()) {
            String pathPointer = "/paths/" + escape(path);
            JsonNode item = paths.get(path);
            parameters(item.path("parameters"), pathPointer + "/parameters", examples);
            for (String method : item.propertyNames()) {
                if (!METHODS.contains(method)) {
                    continue;
                }
                String operationPointer = pathPointer + "/" + method;
                JsonNode operation = item.get(method);
                parameters(operation.path("parameters"), operationPointer + "/parameters", examples);
                content(operation.path("requestBody"), operationPointer + "/requestBody", examples);
                JsonNode responses = operation.path("responses");
                for (String status : responses.propertyNames()) {
                    response(responses.get(status), operationPointer + "/responses/" + escape(status), examples);
                }
            }
        }
        JsonNode components = document.path("components");
        each(components.path("responses"), "/components/responses", (node, pointer) -> response(node, pointer, examples));
        each(components.path("requestBodies"), "/components/requestBodies", (node, pointer) -> content(node, pointer,
                examples));
        each(components.path("headers"), "/components/headers", (node, pointer) -> parameter(node, pointer, examples));
        each(components.path("parameters"), "/components/parameters", (node, pointer) -> parameter(node, pointer,
                examples));
        each(components.path("schemas"), "/components/schemas", (node, pointer) -> schema(node, pointer, examples));
        return examples.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void everyExampleIsValidAgainstItsSchema(Example example) {
        List<Error> errors = schemaAt(example.schemaPointer()).validate(example.value());

        assertThat(errors).as("%s against %s", example.where(), example.schemaPointer()).isEmpty();
    }

    @Test
    void theExamplesOfEveryLossAndOfEveryProblemAreChecked() {
        List<String> checked = examples().map(Example::where).toList();
        OpenApiDocument.operations(OpenApiDocument.committed())
                .filter(operation -> operation.path().startsWith("/v1/losses/"))
                .forEach(operation -> assertThat(operation.requestExamples().keySet()).as("%s", operation)
                        .isNotEmpty()
                        .allSatisfy(name -> assertThat(checked).contains(
                                requestExample(operation.path(), "application/json", name),
                                responseExample(operation.path(), "200", "application/json", name))));
        assertThat(checked).contains(
                "/components/responses/Unprocessable/content/application~1problem+json/examples/invalidRequest",
                "/components/responses/NotFound/content/application~1problem+json/examples/unknownLoss");
    }

    /** The validator is not vacuous: it follows the document's $refs and rejects what breaks a schema. */
    @Test
    void anExampleThatBreaksItsSchemaIsCaught() {
        Example request = examples().filter(example -> example.where().startsWith("/paths/~1v1~1losses~1")
                && example.where().contains("/requestBody/")).findFirst().orElseThrow();
        ObjectNode broken = ((ObjectNode) request.value()).deepCopy();
        String firstField = broken.propertyNames().iterator().next();
        broken.set(firstField, JSON.readTree("[[1.5, \"NaN\"], [2, 3]]"));
        broken.put("unknownField", 1);

        List<Error> errors = schemaAt(request.schemaPointer()).validate(broken);

        assertThat(errors).extracting(error -> error.getInstanceLocation().toString())
                .contains("/" + firstField + "/0/1");
        assertThat(errors).extracting(Error::getKeyword).contains("additionalProperties");
        ObjectNode problem = JSON.createObjectNode().put("type", "not a uri").put("title", "t").put("status", 200);
        assertThat(schemaAt("/components/schemas/Problem").validate(problem)).extracting(Error::getKeyword)
                .contains("format", "minimum");
    }

    private static Schema schemaAt(String pointer) {
        return registry.getSchema(SchemaLocation.of(DOCUMENT + "#" + pointer));
    }

    private static String requestExample(String path, String mediaType, String name) {
        return "/paths/" + escape(path) + "/post/requestBody/content/" + escape(mediaType) + "/examples/"
                + escape(name);
    }

    private static String responseExample(String path, String status, String mediaType, String name) {
        return "/paths/" + escape(path) + "/post/responses/" + status + "/content/" + escape(mediaType)
                + "/examples/" + escape(name);
    }

    // ---- the walk -------------------------------------------------------------------------------------------

    /** A response: its content and headers; a response by reference is checked where it is defined. */
    private static void response(JsonNode response, String pointer, List<Example> examples) {
        if (response.has("$ref")) {
            return;
        }
        content(response, pointer, examples);
        each(response.path("headers"), pointer + "/headers", (header, at) -> parameter(header, at, examples));
    }

    /** A parameter or a header: examples beside its schema, or in its content. */
    private static void parameter(JsonNode parameter, String pointer, List<Example> examples) {
        if (parameter.has("$ref")) {
            return;
        }
        mediaType(parameter, pointer, examples);
        content(parameter, pointer, examples);
    }

    private static void parameters(JsonNode parameters, String pointer, List<Example> examples) {
        for (int i = 0; i < parameters.size(); i++) {
            parameter(parameters.get(i), pointer + "/" + i, examples);
        }
    }

    /** The media types of a request body, response, parameter or header. */
    private static void content(JsonNode holder, String pointer, List<Example> examples) {
        if (holder.has("$ref")) {
            return;
        }
        each(holder.path("content"), pointer + "/content", (mediaType, at) -> mediaType(mediaType, at, examples));
    }

    /** A media type object (or a parameter or header): {@code example} and {@code examples} against {@code schema}. */
    private static void mediaType(JsonNode mediaType, String pointer, List<Example> examples) {
        if (!mediaType.has("schema")) {
            return;
        }
        String schema = pointer + "/schema";
        if (mediaType.has("example")) {
            examples.add(new Example(pointer + "/example", schema, mediaType.get("example")));
        }
        JsonNode named = mediaType.path("examples");
        for (String name : named.propertyNames()) {
            JsonNode example = resolve(named.get(name));
            if (example.has("value")) {
                examples.add(new Example(pointer + "/examples/" + escape(name), schema, example.get("value")));
            }
        }
        schema(mediaType.get("schema"), schema, examples);
    }

    /** A schema and every schema inside it: each value of its {@code examples} (and {@code example}). */
    private static void schema(JsonNode schema, String pointer, List<Example> examples) {
        if (!schema.isObject()) {
            return;
        }
        JsonNode values = schema.path("examples");
        for (int i = 0; i < values.size(); i++) {
            examples.add(new Example(pointer + "/examples/" + i, pointer, values.get(i)));
        }
        if (schema.has("example")) {
            examples.add(new Example(pointer + "/example", pointer, schema.get("example")));
        }
        for (String keyword : List.of("items", "not", "if", "then", "else", "contains", "additionalProperties",
                "propertyNames", "unevaluatedItems", "unevaluatedProperties")) {
            if (schema.has(keyword)) {
                schema(schema.get(keyword), pointer + "/" + keyword, examples);
            }
        }
        for (String keyword : List.of("allOf", "anyOf", "oneOf", "prefixItems")) {
            JsonNode list = schema.path(keyword);
            for (int i = 0; i < list.size(); i++) {
                schema(list.get(i), pointer + "/" + keyword + "/" + i, examples);
            }
        }
        for (String keyword : List.of("properties", "patternProperties", "$defs", "dependentSchemas")) {
            each(schema.path(keyword), pointer + "/" + escape(keyword), (child, at) -> schema(child, at, examples));
        }
    }

    /** An example object, or the one its {@code $ref} names in the document. */
    private static JsonNode resolve(JsonNode example) {
        return example.has("$ref") ? document.at(example.get("$ref").asString().substring(1)) : example;
    }

    private static void each(JsonNode map, String pointer, BiConsumer<JsonNode, String> action) {
        for (String name : map.propertyNames()) {
            action.accept(map.get(name), pointer + "/" + escape(name));
        }
    }

    /** A name as a JSON pointer token (RFC 6901). */
    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
