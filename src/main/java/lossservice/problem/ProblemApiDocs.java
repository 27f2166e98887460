package lossservice.problem;

import java.util.List;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.RequiredMode;

/**
 * The problem+json responses as the OpenAPI document describes them: the {@code Problem} and {@code Violation}
 * schemas, and the description and an example of each kind of error an endpoint may answer with. Responses
 * are built by {@link ProblemDetails}; these records are never instantiated.
 */
public final class ProblemApiDocs {

    private ProblemApiDocs() {
    }

    public static final String MALFORMED_JSON = """
            The body is not well-formed JSON: truncated, a trailing comma, a bare `NaN` or `Infinity` token, \
            an empty body, or beyond the parser's limits (by default nesting depth 16, numbers of 100 characters, \
            strings of 1024 characters). Type `tag:loss-service,2026:problems/malformed-json`.""";

    public static final String MALFORMED_JSON_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/malformed-json",
              "title": "Malformed JSON",
              "status": 400,
              "detail": "The body is not well-formed JSON at line 1, column 20: Unexpected end-of-input within/between Array entries.",
              "instance": "/v1/losses/cross-entropy"
            }""";

    public static final String NOT_ACCEPTABLE = """
            The `Accept` header rules out `application/json`. Type \
            `tag:loss-service,2026:problems/not-acceptable`.""";

    public static final String NOT_ACCEPTABLE_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/not-acceptable",
              "title": "Not acceptable",
              "status": 406,
              "detail": "Acceptable representations: [application/json].",
              "instance": "/v1/losses/cross-entropy"
            }""";

    public static final String PAYLOAD_TOO_LARGE = """
            The body is larger than the configured limit (64 MiB by default, counted after inflating a gzip or \
            deflate `Content-Encoding`), known from `Content-Length` before the body is read, or as soon as the \
            body received so far passes it. Type `tag:loss-service,2026:problems/payload-too-large`.""";

    public static final String PAYLOAD_TOO_LARGE_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/payload-too-large",
              "title": "Payload too large",
              "status": 413,
              "detail": "The request body is larger than the configured limit.",
              "instance": "/v1/losses/cross-entropy"
            }""";

    public static final String UNSUPPORTED_MEDIA_TYPE = """
            The `Content-Type` is not `application/json`, or the `Content-Encoding` is not gzip, deflate or \
            identity. Type `tag:loss-service,2026:problems/unsupported-media-type`.""";

    public static final String UNSUPPORTED_MEDIA_TYPE_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/unsupported-media-type",
              "title": "Unsupported media type",
              "status": 415,
              "detail": "Content-Type 'text/plain' is not supported.",
              "instance": "/v1/losses/cross-entropy"
            }""";

    public static final String RESULT_OUT_OF_RANGE_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/result-out-of-range",
              "title": "Result out of range",
              "status": 422,
              "detail": "The result overflows float32: the logits, probabilities or weights are too large for the loss to be represented.",
              "instance": "/v1/losses/cross-entropy"
            }""";

    public static final String INTERNAL_ERROR = """
            An unexpected failure; nothing of its cause is shown. Type \
            `tag:loss-service,2026:problems/internal-error`.""";

    public static final String INTERNAL_ERROR_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/internal-error",
              "title": "Internal error",
              "status": 500,
              "detail": "The service failed to handle the request.",
              "instance": "/v1/losses/cross-entropy"
            }""";

    public static final String OVERLOADED = """
            The service is at capacity: type `tag:loss-service,2026:problems/overloaded`, retry after the \
            delay given in `Retry-After`. Or the request was not answered within the processing deadline: type \
            `tag:loss-service,2026:problems/deadline-exceeded`.""";

    public static final String OVERLOADED_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/overloaded",
              "title": "Service overloaded",
              "status": 503,
              "detail": "The service is at capacity; retry later.",
              "instance": "/v1/losses/cross-entropy"
            }""";

    public static final String RETRY_AFTER = "How many seconds to wait before retrying.";

    @Schema(name = "Problem", description = """
            An RFC 9457 problem detail. `type` is a stable URI per kind of error (a tag URI, not meant to be \
            dereferenced); `title` is the same for every problem of that type; `detail` explains this \
            occurrence. No stack trace, exception class or internal name ever appears.""")
    public record Problem(
            @Schema(requiredMode = RequiredMode.REQUIRED, format = "uri",
                    description = "Identifies the kind of error; one of `tag:loss-service,2026:problems/<kind>`.",
                    example = "tag:loss-service,2026:problems/invalid-request")
            String type,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "A short summary of the kind of error.",
                    example = "Invalid request")
            String title,
            @Schema(requiredMode = RequiredMode.REQUIRED, minimum = "400", maximum = "599",
                    description = "The HTTP status code.", example = "422")
            Integer status,
            @Schema(description = "What went wrong with this request, in plain words.",
                    example = "The request breaks 1 rule: must be in [0, 1], found 1.5.")
            String detail,
            @Schema(format = "uri-reference", description = "The path of the request that failed.",
                    example = "/v1/losses/cross-entropy")
            String instance,
            @ArraySchema(arraySchema = @Schema(description = """
                    Present on `invalid-request` problems only: every rule the request breaks (at most 100 are \
                    listed; `detail` gives the total)."""))
            List<Violation> errors) {
    }

    @Schema(name = "Violation", description = "One rule broken by the request, and where.")
    public record Violation(
            @Schema(requiredMode = RequiredMode.REQUIRED, description = """
                    An RFC 6901 JSON pointer to the offending value in the request body (`""` for the body \
                    itself).""", example = "/targets/3")
            String pointer,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "What is wrong with it.",
                    example = "class index 12 is outside [0, 10) and is not the ignoreIndex (-100)")
            String message) {
    }
}
