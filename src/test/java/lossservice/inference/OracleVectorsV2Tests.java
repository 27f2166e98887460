package lossservice.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import lossservice.oracle.OracleVectors;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.util.stream.Stream;

/**
 * Every oracle vector of every loss that has a JSON request (the others are about the JSON body's syntax or media
 * type), converted by the contract's mapping ({@link V2Requests}) into an Open Inference Protocol request to the
 * model of its loss, in JSON form and in binary form: a valid case must give PyTorch's numbers for every output
 * (all of them, or those {@code include} lists, as the protocol's {@code outputs}), an invalid one a 4xx with the
 * protocol's {@code {"error"}}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OracleVectorsV2Tests {

    @LocalServerPort
    int port;

    static Stream<Arguments> validCases() {
        return inBothForms(OracleVectors.allValid());
    }

    static Stream<Arguments> invalidCases() {
        return inBothForms(OracleVectors.allInvalid());
    }

    private static Stream<Arguments> inBothForms(List<OracleVectors.Case> cases) {
        List<Arguments> arguments = new ArrayList<>();
        for (OracleVectors.Case oracleCase : cases) {
            if (oracleCase.request() != null && oracleCase.request().isObject()) {
                arguments.add(Arguments.of(oracleCase, "json"));
                arguments.add(Arguments.of(oracleCase, "binary"));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("validCases")
    void validCaseMatchesPyTorch(OracleVectors.Case oracleCase, String form) throws Exception {
        HttpResponse<byte[]> response = post(oracleCase, form);

        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        TritonHttpClient.Result result = TritonHttpClient.Result.of(response);
        assertThat(result.json().get("model_name").asString()).isEqualTo(model(oracleCase));
        for (JsonNode output : result.json().get("outputs")) {
            assertThat(output.get("datatype").asString()).isEqualTo(oracleCase.isFloat64() ? "FP64" : "FP32");
        }
        JsonNode actual = V2Requests.asJsonResponse(result.json(), result.outputs(), result.shapes(),
                V2Requests.jsonNames(oracleCase.allOutputs()));
        JsonNode include = oracleCase.request().get("include");
        List<String> requested = new ArrayList<>();
        if (oracleCase.sentAsIs() && include != null && include.isArray()) {
            include.forEach(name -> requested.add(name.asString()));
        } else {
            requested.addAll(oracleCase.allOutputs());
        }
        OracleVectors.assertMatches(oracleCase, actual, requested, false);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("invalidCases")
    void invalidCaseIsA4xxWithAnError(OracleVectors.Case oracleCase, String form) throws Exception {
        HttpResponse<byte[]> response = post(oracleCase, form);
        String body = new String(response.body(), StandardCharsets.UTF_8);

        assertThat(response.statusCode()).as(body).isBetween(400, 499);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(TritonHttpClient.JSON.readTree(body).propertyNames()).containsExactly("error");
        assertThat(body).doesNotContain("Exception", "jackson", "springframework", "nd4j", "\tat ");
    }

    private HttpResponse<byte[]> post(OracleVectors.Case oracleCase, String form) throws Exception {
        V2Requests.Body body = V2Requests.convert(oracleCase.request(), form.equals("binary"));
        return TritonHttpClient.post(port, "/v2/models/" + model(oracleCase) + "/infer", body.bytes(),
                body.jsonLength() == null ? null : String.valueOf(body.jsonLength()));
    }

    private static String model(OracleVectors.Case oracleCase) {
        return oracleCase.endpoint().substring("/v1/losses/".length());
    }
}
