package lossservice.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import tools.jackson.databind.JsonNode;

/**
 * Every oracle vector of every loss (every file in src/test/resources/oracle), sent over real HTTP to the JSON
 * endpoint of the application on a random port, each to its case's endpoint.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OracleVectorsHttpTests {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    static List<OracleVectors.Case> validCases() {
        return OracleVectors.allValid();
    }

    static List<OracleVectors.Case> invalidCases() {
        return OracleVectors.allInvalid();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validCases")
    void validCaseMatchesPyTorch(OracleVectors.Case oracleCase) throws Exception {
        HttpResponse<String> response = post(oracleCase);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        OracleVectors.assertMatches(oracleCase, OracleVectors.JSON.readTree(response.body()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCases")
    void invalidCaseIsAnsweredWithAProblem(OracleVectors.Case oracleCase) throws Exception {
        HttpResponse<String> response = post(oracleCase);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(oracleCase.expectedStatus());
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = OracleVectors.JSON.readTree(response.body());
        assertThat(problem.get("status").intValue()).isEqualTo(oracleCase.expectedStatus());
        assertThat(problem.get("type").asString()).startsWith("tag:loss-service,2026:problems/");
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("detail").asString()).isNotBlank();
        assertThat(problem.get("instance").asString()).isEqualTo(oracleCase.endpoint());
        assertThat(response.body()).doesNotContain("Exception", "jackson", "springframework", "nd4j", "\tat ");
        if (oracleCase.pointer() != null) {
            List<String> pointers = problem.get("errors").valueStream().map(e -> e.get("pointer").asString()).toList();
            assertThat(pointers).contains(oracleCase.pointer());
        }
    }

    private HttpResponse<String> post(OracleVectors.Case oracleCase) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + oracleCase.endpoint()))
                .header("Content-Type", oracleCase.contentType())
                .POST(HttpRequest.BodyPublishers.ofString(oracleCase.body()))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
