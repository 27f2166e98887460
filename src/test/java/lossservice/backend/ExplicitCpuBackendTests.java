package lossservice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "loss.backend=CPU",
        "management.endpoint.health.group.readiness.show-components=always"})
class ExplicitCpuBackendTests {

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Test
    void reportsTheCpuBackendAsConfigured() throws Exception {
        JsonNode report = json.readTree(get("/v1/backend").body());

        assertThat(report.path("backend").asString()).isEqualTo("cpu");
        assertThat(report.path("requested").asString()).isEqualTo("cpu");
        assertThat(report.path("reason").asString()).isEqualTo("set by loss.backend");
        assertThat(report.path("dataType").asString()).isEqualTo("FLOAT");
    }

    @Test
    void readinessIncludesTheBackend() throws Exception {
        HttpResponse<String> response = get("/actuator/health/readiness");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode readiness = json.readTree(response.body());
        assertThat(readiness.path("components").path("backend").path("status").asString()).isEqualTo("UP");
        assertThat(readiness.path("components").path("readinessState").path("status").asString()).isEqualTo("UP");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
