package lossservice.operations;

import static lossservice.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import lossservice.ProblemAssertions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.context.support.ServletRequestHandledEvent;

import tools.jackson.databind.JsonNode;

/** The operations surface over real HTTP: health groups, info, Prometheus metrics, and nothing else of Actuator. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ActuatorHttpTests {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String VALID = "{\"logits\": [[0.5, 1.5, -1.0], [2.0, 0.0, 1.0]], \"targets\": [2, 0]}";

    @LocalServerPort
    int port;

    @Test
    void livenessIsUp() throws Exception {
        HttpResponse<String> response = get("/actuator/health/liveness");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(ProblemAssertions.JSON.readTree(response.body()).path("status").asString()).isEqualTo("UP");
    }

    @Test
    void readinessIsUpAndReportsTheBackend() throws Exception {
        HttpResponse<String> response = get("/actuator/health/readiness");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode health = ProblemAssertions.JSON.readTree(response.body());
        assertThat(health.path("status").asString()).isEqualTo("UP");
        assertThat(health.path("components").path("backend").path("status").asString()).isEqualTo("UP");
        assertThat(health.path("components").path("backend").path("details").path("backend").asString())
                .isEqualTo("cpu");
        assertThat(health.path("components").path("readinessState").path("status").asString()).isEqualTo("UP");
    }

    @Test
    void infoGivesTheVersionAndTheBackend() throws Exception {
        HttpResponse<String> response = get("/actuator/info");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode info = ProblemAssertions.JSON.readTree(response.body());
        assertThat(info.path("build").path("version").asString()).isNotBlank();
        assertThat(info.path("build").path("artifact").asString()).isEqualTo("loss-service");
        assertThat(info.path("backend").path("name").asString()).isEqualTo("cpu");
    }

    @Test
    void prometheusServesLatencyHistogramsAndTheServiceMetrics() throws Exception {
        double rejectedBefore = rejections(get("/actuator/prometheus").body(), "invalid_request", "rest");
        double v2RejectedBefore = rejections(get("/actuator/prometheus").body(), "invalid_request", "v2");
        assertThat(post(VALID).statusCode()).isEqualTo(200);
        assertThat(post("{\"logits\": [[1, 2]], \"targets\": [7]}").statusCode()).isEqualTo(422);
        assertThat(post("/v2/models/cross-entropy/infer", "{\"inputs\": [{\"name\": \"logits\", \"datatype\":"
                + " \"FP32\", \"shape\": [1, 2], \"data\": [1, 2]}, {\"name\": \"targets\", \"datatype\":"
                + " \"INT64\", \"shape\": [1], \"data\": [7]}]}").statusCode()).isEqualTo(400);

        HttpResponse<String> response = get("/actuator/prometheus");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String metrics = response.body();
        assertThat(metrics).containsPattern(
                "http_server_requests_seconds_bucket\\{[^}]*status=\"200\"[^}]*uri=\"/v1/losses/\\{name}\"");
        assertThat(metrics).containsPattern("loss_computation_seconds_bucket\\{backend=\"cpu\",loss=\"cross-entropy\","
                + "protocol=\"rest\",le=\"[^\"]+\"} [1-9]");
        assertThat(metrics).containsPattern("loss_computation_seconds_count\\{backend=\"cpu\",loss=\"cross-entropy\","
                + "protocol=\"rest\"} [1-9]");
        // Every loss has its series on every protocol from the start, requests or not.
        assertThat(metrics).containsPattern("loss_computation_seconds_count\\{backend=\"cpu\","
                + "loss=\"binary-cross-entropy\",protocol=\"grpc\"} [0-9.]+");
        assertThat(metrics).containsPattern("loss_batch_elements_bucket\\{loss=\"cross-entropy\",protocol=\"rest\","
                + "le=\"[^\"]+\"}");
        assertThat(metrics).contains("loss_rejections_total{protocol=\"rest\",reason=\"overloaded\"}",
                "loss_rejections_total{protocol=\"v2\",reason=\"payload_too_large\"}",
                "loss_rejections_total{protocol=\"grpc\",reason=\"deadline_exceeded\"}");
        assertThat(rejections(metrics, "invalid_request", "rest")).isEqualTo(rejectedBefore + 1);
        assertThat(rejections(metrics, "invalid_request", "v2")).isEqualTo(v2RejectedBefore + 1);
    }

    @Test
    void everyRequestIsTimedWithTheTagsOfSpringsConvention() throws Exception {
        assertThat(post(VALID).statusCode()).isEqualTo(200);
        assertThat(post("/no/such/path", VALID).statusCode()).isEqualTo(404);
        assertThat(slowPost(VALID)).startsWith("HTTP/1.1 200");

        String metrics = get("/actuator/prometheus").body();

        assertThat(count(metrics, "http_server_requests_seconds_count{error=\"none\",exception=\"none\","
                + "method=\"POST\",outcome=\"SUCCESS\",status=\"200\",uri=\"/v1/losses/{name}\"}"))
                .as("the two answered requests, the one read as it arrived included").isGreaterThanOrEqualTo(2);
        assertThat(count(metrics, "http_server_requests_seconds_count{error=\"none\",exception=\"none\","
                + "method=\"POST\",outcome=\"CLIENT_ERROR\",status=\"404\",uri=\"/**\"}"))
                .isGreaterThanOrEqualTo(1);
        // The scrape itself is being served.
        assertThat(count(metrics, "http_server_requests_active_seconds_gcount{exception=\"none\",method=\"GET\","
                + "outcome=\"SUCCESS\",status=\"200\",uri=\"UNKNOWN\"}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void noEventIsPublishedPerRequest(@Autowired ConfigurableApplicationContext context) throws Exception {
        List<ApplicationEvent> events = new CopyOnWriteArrayList<>();
        ApplicationListener<ApplicationEvent> listener = events::add;
        context.addApplicationListener(listener);
        try {
            assertThat(post(VALID).statusCode()).isEqualTo(200);
            assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        } finally {
            context.removeApplicationListener(listener);
        }

        assertThat(events).noneMatch(event -> event instanceof ServletRequestHandledEvent);
    }

    /** Actuator answers an unknown health component with a bare 404: it gets its problem like every error. */
    @ParameterizedTest
    @ValueSource(strings = {"/actuator/health/nothing", "/actuator/health/liveness/nothing",
        "/actuator/health/backend", "/actuator/health/a/b/c"})
    void anUnknownHealthComponentIsANotFoundProblem(String path) throws Exception {
        HttpResponse<String> response = get(path);

        JsonNode problem = assertProblem(response.statusCode(), response.headers().firstValue("Content-Type")
                .orElse(""), response.body(), 404, "not-found");
        assertThat(problem.path("detail").asString()).isEqualTo("There is no resource at " + path + ".");
        assertThat(problem.path("instance").asString()).isEqualTo(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/actuator", "/actuator/env", "/actuator/beans", "/actuator/heapdump",
        "/actuator/threaddump", "/actuator/configprops", "/actuator/shutdown", "/actuator/metrics",
        "/actuator/loggers", "/actuator/mappings", "/actuator/conditions", "/actuator/scheduledtasks",
        "/actuator/caches", "/actuator/sbom", "/actuator/startup", "/actuator/logfile", "/actuator/httpexchanges"})
    void nothingElseOfActuatorIsExposed(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertProblem(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body(),
                404, "not-found");

        HttpResponse<String> posted = post(path, "{}");
        assertThat(posted.statusCode()).as(path).isIn(404, 405);
        ProblemAssertions.assertNoInternals(posted.body());
    }

    private static double count(String metrics, String series) {
        Matcher matcher = Pattern.compile(Pattern.quote(series) + " (\\S+)").matcher(metrics);
        assertThat(matcher.find()).as(series).isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    /** A POST whose body arrives after its head, so that the service reads it without blocking; the status line. */
    private String slowPost(String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/losses/cross-entropy HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                    + "\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes, 0, 10);
            out.flush();
            Thread.sleep(300);
            out.write(bytes, 10, bytes.length - 10);
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static double rejections(String metrics, String reason, String protocol) {
        Matcher matcher = Pattern.compile("loss_rejections_total\\{protocol=\"" + protocol + "\",reason=\"" + reason
                + "\"} (\\S+)").matcher(metrics);
        assertThat(matcher.find()).as("loss_rejections_total for " + reason + " on " + protocol).isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String body) throws Exception {
        return post("/v1/losses/cross-entropy", body);
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
