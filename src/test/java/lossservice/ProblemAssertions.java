package lossservice;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What every problem+json answer of the service must look like. */
public final class ProblemAssertions {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    /** Words that would reveal internals: class and package names, stack traces. */
    public static final String[] INTERNAL_NAMES = {"java.", "Exception", "tools.jackson", "com.fasterxml",
            "org.springframework", "org.apache", "lossservice", "nd4j", "\tat ", "Tomcat"};

    private ProblemAssertions() {
    }

    /**
     * Asserts a problem+json answer of this status and type ({@code tag:loss-service,2026:problems/<kind>}), with
     * no internal names anywhere, and returns the parsed problem.
     */
    public static JsonNode assertProblem(int status, String contentType, String body, int expectedStatus,
            String kind) {
        assertThat(status).as(body).isEqualTo(expectedStatus);
        assertThat(contentType).as("Content-Type of " + body).startsWith("application/problem+json");
        assertNoInternals(body);
        JsonNode problem = JSON.readTree(body);
        assertThat(problem.path("status").intValue()).isEqualTo(expectedStatus);
        assertThat(problem.path("type").asString()).isEqualTo("tag:loss-service,2026:problems/" + kind);
        assertThat(problem.path("title").asString()).isNotBlank();
        assertThat(problem.path("detail").asString()).isNotBlank();
        return problem;
    }

    public static void assertNoInternals(String text) {
        assertThat(text).doesNotContain(INTERNAL_NAMES);
    }
}
