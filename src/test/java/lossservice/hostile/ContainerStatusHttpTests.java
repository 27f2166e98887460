package lossservice.hostile;

import static lossservice.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import lossservice.RawHttp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import tools.jackson.databind.JsonNode;

/** The refusals of what HTTP/1.1 cannot express here (501, 505) say what happened, and where. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ContainerStatusHttpTests extends HostileClientsApplicationTests {

    @Test
    void anUnknownMethodIs501() throws Exception {
        RawHttp.Response response = exchange("FOO / HTTP/1.1\r\nHost: localhost\r\n\r\n");

        JsonNode problem = assertProblem(response.status(), response.header("Content-Type"), response.body(), 501,
                "not-implemented");
        assertThat(problem.path("detail").asString()).isEqualTo("The method FOO is not implemented.");
        assertThat(problem.path("instance").asString()).isEqualTo("/");
    }

    @Test
    void anUnknownMethodOnAnEndpointIs501WithItsPath() throws Exception {
        RawHttp.Response response = exchange("PURGE " + CE + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

        JsonNode problem = assertProblem(response.status(), response.header("Content-Type"), response.body(), 501,
                "not-implemented");
        assertThat(problem.path("detail").asString()).contains("PURGE");
        assertThat(problem.path("instance").asString()).isEqualTo(CE);
    }

    @Test
    void anUnknownMethodOnV2Is501InTheProtocolsFormat() throws Exception {
        RawHttp.Response response = exchange("FOO " + INFER + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

        assertThat(response.status()).isEqualTo(501);
        assertThat(response.body()).isEqualTo("{\"error\":\"The method FOO is not implemented.\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/2.0", "HTTP/3.0", "HTTP/1.2"})
    void anotherHttpVersionIs505(String version) throws Exception {
        RawHttp.Response response = exchange("GET /actuator/health " + version + "\r\nHost: localhost\r\n\r\n");

        JsonNode problem = assertProblem(response.status(), response.header("Content-Type"), response.body(), 505,
                "http-version-not-supported");
        assertThat(problem.path("detail").asString()).isEqualTo(version + " is not supported; use HTTP/1.1.");
        assertThat(problem.path("instance").asString()).isEqualTo("/actuator/health");
    }

    @Test
    void aTransferCodingTomcatDoesNotImplementIs501() throws Exception {
        RawHttp.Response response = exchange("POST " + CE + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");

        JsonNode problem = assertProblem(response.status(), response.header("Content-Type"), response.body(), 501,
                "not-implemented");
        assertThat(problem.path("detail").asString()).contains("Transfer-Encoding", "gzip, chunked");
        assertThat(problem.path("instance").asString()).isEqualTo(CE);
    }

    private RawHttp.Response exchange(String request) throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            return http.send(request).read();
        }
    }
}
