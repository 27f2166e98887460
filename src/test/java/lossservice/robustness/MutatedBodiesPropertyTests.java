package lossservice.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import lossservice.LossServiceApplication;
import lossservice.ProblemAssertions;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import tools.jackson.databind.JsonNode;

/**
 * Valid bodies, mutated (tokens deleted, duplicated, swapped, retyped; arrays resized; hostile and non-finite
 * numbers; fields repeated; truncation; random bytes), POSTed over real HTTP to the running application. Whatever
 * arrives: never a 5xx, every 4xx is problem+json without internal names, every 200 holds only finite numbers.
 */
class MutatedBodiesPropertyTests {

    /** Valid bodies covering every field and both kinds of targets. */
    static final List<String> VALID_BODIES = List.of(
            "{\"logits\": [[0.5, 1.5, -1.0], [2.0, 0.0, 1.0]], \"targets\": [2, 0]}",
            "{\"logits\": [[0.2966, 0.372, -0.777, -0.3461], [-0.9454, -1.0841, 0.113, 0.8149]], \"targets\": [3, -100],"
                    + " \"epsilon\": 0.1, \"labelSmooth\": true, \"numClasses\": 4, \"reduction\": \"sum\","
                    + " \"classWeights\": [1.0, 2.0, 0.5, 1.5], \"ignoreIndex\": -100,"
                    + " \"include\": [\"smoothedTargets\", \"perSampleLoss\", \"probabilities\", \"gradient\"]}",
            "{\"logits\": [[1e3, -1e3], [30.5, 30.25], [-0.0, 0]], \"targets\": [[0.25, 0.75], [1, 0], [0.5, 0.5]],"
                    + " \"reduction\": \"none\", \"include\": [\"gradient\"], \"epsilon\": 0}",
            "{\"targets\": [1], \"logits\": [[3.4e38, -3.4e38]], \"labelSmooth\": false, \"reduction\": \"mean\"}");

    private static ConfigurableApplicationContext context;
    private static HttpClient http;
    private static URI endpoint;

    @BeforeContainer
    static void startTheApplication() {
        context = new SpringApplicationBuilder(LossServiceApplication.class)
                .properties("server.port=0", "server.address=127.0.0.1", "spring.jmx.enabled=false")
                .run();
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        endpoint = URI.create("http://127.0.0.1:" + port + "/v1/losses/cross-entropy");
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterContainer
    static void stopTheApplication() {
        if (context != null) {
            context.close();
        }
    }

    @Property(tries = 2500)
    void aMutatedBodyIsAnsweredCleanly(@ForAll @IntRange(min = 0, max = 3) int validBody,
            @ForAll @IntRange(min = 1, max = 3) int mutations, @ForAll long seed) throws Exception {
        byte[] body = BodyMutator.mutate(VALID_BODIES.get(validBody), mutations, new Random(seed));
        int status = assertAnsweredCleanly(body);
        Statistics.collect(status);
        // The mutants must reach every kind of answer, or they test less than they claim.
        Statistics.coverage(coverage -> {
            coverage.check(200).count(count -> count > 0);
            coverage.check(400).count(count -> count > 0);
            coverage.check(422).count(count -> count > 0);
        });
    }

    @Property(tries = 40)
    void everyHostileValueInEveryFieldIsAnsweredCleanly(@ForAll @IntRange(min = 0, max = 8) int field,
            @ForAll @IntRange(min = 0, max = 40) int value) throws Exception {
        String hostile = BodyMutator.HOSTILE_VALUES.get(value % BodyMutator.HOSTILE_VALUES.size());
        String body = "{\"logits\": [[0.5, 1.5], [2.0, 0.0]], \"targets\": [1, 0], \""
                + BodyMutator.FIELDS.get(field) + "\": " + hostile + "}";
        assertAnsweredCleanly(body.getBytes(StandardCharsets.UTF_8));
    }

    /** Posts the body, asserts the answer is clean and returns its status. */
    static int assertAnsweredCleanly(byte[] body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        String description = new String(body, StandardCharsets.UTF_8) + " -> " + response.statusCode() + " "
                + response.body();
        int status = response.statusCode();
        assertThat(status).as(description).isIn(200, 400, 422);
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        if (status == 200) {
            assertThat(contentType).as(description).startsWith("application/json");
            assertOnlyFiniteNumbers(ProblemAssertions.JSON.readTree(response.body()), description);
        } else {
            assertThat(contentType).as(description).startsWith("application/problem+json");
            ProblemAssertions.assertNoInternals(response.body());
            JsonNode problem = ProblemAssertions.JSON.readTree(response.body());
            assertThat(problem.path("status").intValue()).as(description).isEqualTo(status);
            assertThat(problem.path("type").asString()).as(description).startsWith("tag:loss-service,2026:problems/");
        }
        return status;
    }

    private static void assertOnlyFiniteNumbers(JsonNode node, String description) {
        if (node.isNumber()) {
            assertThat(Double.isFinite(node.doubleValue())).as(description).isTrue();
        }
        for (JsonNode child : node) {
            assertOnlyFiniteNumbers(child, description);
        }
    }
}
