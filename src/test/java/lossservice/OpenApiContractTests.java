package lossservice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The document the service serves at {@code /v3/api-docs} and the committed {@code openapi.yaml} say the same
 * thing. With {@code -Dopenapi.update=true} the test rewrites {@code openapi.yaml} from the served document.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class OpenApiContractTests {

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Test
    void servedDocumentSaysWhatOpenApiYamlSays() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v3/api-docs")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Object> served = OpenApiDocument.parseServed(response.body());

        if (Boolean.getBoolean("openapi.update")) {
            OpenApiDocument.write(served);
        }

        List<String> differences = OpenApiDocument.differences(OpenApiDocument.committed(), served);
        assertThat(differences)
                .withFailMessage("%s differs from the served /v3/api-docs at:%n  %s%nRegenerate it with"
                        + " ./mvnw -o test -Dtest=OpenApiContractTests -Dopenapi.update=true and review the diff.",
                        OpenApiDocument.path(), String.join(System.lineSeparator() + "  ", differences))
                .isEmpty();
    }
}
