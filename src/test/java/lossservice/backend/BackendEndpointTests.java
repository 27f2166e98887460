package lossservice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class BackendEndpointTests {

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    ActiveBackend activeBackend;

    @Test
    void reportsTheCpuBackendChosenAutomatically() throws Exception {
        HttpResponse<String> response = get("/v1/backend");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode report = json.readTree(response.body());
        assertThat(report.path("backend").asString()).isEqualTo("cpu");
        assertThat(report.path("requested").asString()).isEqualTo("auto");
        assertThat(report.path("reason").asString()).isEqualTo("CUDA backend not on the classpath (build with -Pcuda)");
        assertThat(report.path("devices").isArray()).isTrue();
        assertThat(report.path("devices").size()).isZero();
        assertThat(report.path("nd4jVersion").asString()).isEqualTo("1.0.0-M2.1");
        assertThat(report.path("dataType").asString()).isEqualTo("FLOAT");
        assertThat(report.path("threads").asInt()).isPositive();
        assertThat(report.path("cpuCores").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void theLossEndpointNamesTheSameBackend() {
        assertThat(activeBackend.kind()).isEqualTo(BackendKind.CPU);
    }

    @Test
    void isReadyOnceTheBackendIsWarm() throws Exception {
        HttpResponse<String> response = get("/actuator/health/readiness");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json.readTree(response.body()).path("status").asString()).isEqualTo("UP");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
