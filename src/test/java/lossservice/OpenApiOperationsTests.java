package lossservice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import lossservice.OpenApiDocument.Operation;
import lossservice.oracle.OracleVectors;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@code openapi.yaml} promises, checked against the running service: every operation is served, every
 * request example is answered 200, responses carry the documented fields, and the errors every operation may give
 * (413, 406) come as documented.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class OpenApiOperationsTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    static Stream<Operation> operations() {
        return OpenApiDocument.operations(OpenApiDocument.committed());
    }

    static Stream<Arguments> requestExamples() {
        return operations().flatMap(operation -> operation.requestExamples().entrySet().stream()
                .map(example -> Arguments.of(operation, example.getKey(), example.getValue())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operations")
    void everyOperationIsServed(Operation operation) throws Exception {
        Map.Entry<String, Object> first = operation.requestExamples().entrySet().stream().findFirst().orElse(null);
        Object body = first == null ? null : ((Map<?, ?>) first.getValue()).get("value");

        HttpResponse<String> response = send(operation.method(),
                operation.concretePath(first == null ? "" : first.getKey()), body);

        assertThat(response.statusCode()).as(response.body()).isNotIn(404, 405);
        assertThat(operation.responseCodes()).as("documented responses of %s", operation)
                .contains(String.valueOf(response.statusCode()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("requestExamples")
    void everyRequestExampleIsAnswered200(Operation operation, String name, Map<String, Object> example)
            throws Exception {
        HttpResponse<String> response = send(operation.method(), operation.concretePath(name), example.get("value"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    /** The request examples that have a documented answer of the same name. */
    static Stream<Arguments> answeredExamples() {
        return requestExamples().filter(arguments -> ((Operation) arguments.get()[0])
                .responseExample("200", (String) arguments.get()[1]) != null);
    }

    @Test
    void everyLossDocumentsTheAnswerToItsExamples() {
        operations().filter(operation -> operation.path().startsWith("/v1/losses/")).forEach(operation ->
                assertThat(operation.requestExamples().keySet()).as("%s", operation).allSatisfy(name ->
                        assertThat(operation.responseExample("200", name)).as("the answer to %s", name).isNotNull()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("answeredExamples")
    void everyResponseExampleIsWhatTheServiceAnswers(Operation operation, String name, Map<String, Object> example)
            throws Exception {
        Object documented = operation.responseExample("200", name);
        HttpResponse<String> response = send(operation.method(), operation.concretePath(name), example.get("value"));

        OracleVectors.assertSameDocument(name, JSON.valueToTree(documented), JSON.readTree(response.body()));
    }

    /** The body size limit applies to every request, whatever its method: every operation documents its 413. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("operations")
    void aBodyOverTheLimitIsAnswered413AsDocumented(Operation operation) throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            RawHttp.Response response = raw.send(operation.method().toUpperCase() + " " + operation.concretePath("")
                    + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 99999999999\r\n\r\n").read();

            assertThat(response.status()).as(response.body()).isEqualTo(413);
            assertThat(documentedMediaTypes(operation, "413")).as("%s", operation)
                    .contains(response.header("Content-Type"));
        }
    }

    static Stream<Operation> operationsDocumenting406() {
        return operations().filter(operation -> operation.responseCodes().contains("406"));
    }

    /** Where a 406 is documented, an Accept that rules out JSON gets it, as documented. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("operationsDocumenting406")
    void anAcceptWithoutJsonIsAnswered406WhereDocumented(Operation operation) throws Exception {
        Map.Entry<String, Object> first = operation.requestExamples().entrySet().stream().findFirst().orElse(null);
        Object body = first == null ? null : ((Map<?, ?>) first.getValue()).get("value");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + operation.concretePath(first == null ? "" : first.getKey()))).header("Accept", "text/html");
        request.method(operation.method().toUpperCase(), body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }

        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(406);
        assertThat(documentedMediaTypes(operation, "406"))
                .contains(response.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void theFirstCrossEntropyExampleIsTheSeedExample() {
        Operation crossEntropy = operation("post", "/v1/losses/cross-entropy");

        assertThat(crossEntropy.requestExamples().keySet()).first().isEqualTo("seed");
    }

    @Test
    void aLossResponseWithEveryOutputHasExactlyTheDocumentedFields() throws Exception {
        Map<String, Object> request = Map.of("logits", List.of(List.of(1.0, 2.0, 0.5), List.of(0.0, -1.0, 3.0)),
                "targets", List.of(1, 2), "include",
                List.of("smoothedTargets", "perSampleLoss", "probabilities", "gradient"));

        HttpResponse<String> response = send("post", "/v1/losses/cross-entropy", request);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(fields(response)).isEqualTo(documentedProperties("CrossEntropyResponse"));
    }

    @Test
    void theBackendReportHasExactlyTheDocumentedFields() throws Exception {
        HttpResponse<String> response = send("get", "/v1/backend", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(fields(response)).isEqualTo(documentedProperties("BackendReport"));
    }

    @Test
    void anInvalidRequestProblemHasExactlyTheDocumentedFields() throws Exception {
        HttpResponse<String> response = send("post", "/v1/losses/cross-entropy",
                Map.of("logits", List.of(List.of(1.0, 2.0)), "targets", List.of(5)));

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(fields(response)).isEqualTo(documentedProperties("Problem"));
    }

    private HttpResponse<String> send(String method, String path, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (body == null) {
            request.method(method.toUpperCase(), HttpRequest.BodyPublishers.noBody());
        } else {
            request.method(method.toUpperCase(), HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                    .header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Set<String> fields(HttpResponse<String> response) {
        return JSON.readValue(response.body(), new TypeReference<Map<String, Object>>() { }).keySet();
    }

    /** The media types documented for a status of an operation, following a reference to a shared response. */
    @SuppressWarnings("unchecked")
    private static Set<String> documentedMediaTypes(Operation operation, String status) {
        Map<String, Object> response = (Map<String, Object>) ((Map<String, Object>) operation.definition()
                .get("responses")).get(status);
        assertThat(response).as("the documented %s of %s", status, operation).isNotNull();
        if (response.get("$ref") instanceof String reference) {
            Map<String, Object> components = (Map<String, Object>) OpenApiDocument.committed().get("components");
            response = (Map<String, Object>) ((Map<String, Object>) components.get("responses"))
                    .get(reference.substring("#/components/responses/".length()));
        }
        return ((Map<String, Object>) response.get("content")).keySet();
    }

    @SuppressWarnings("unchecked")
    private static Set<String> documentedProperties(String schema) {
        Map<String, Object> components = (Map<String, Object>) OpenApiDocument.committed().get("components");
        Map<String, Object> schemas = (Map<String, Object>) components.get("schemas");
        return ((Map<String, Object>) ((Map<String, Object>) schemas.get(schema)).get("properties")).keySet();
    }

    private static Operation operation(String method, String path) {
        return operations()
                .filter(operation -> operation.method().equals(method) && operation.path().equals(path))
                .findFirst()
                .orElseThrow();
    }
}
