package lossservice.problem;

import java.net.URI;

import org.springframework.http.HttpStatus;

/**
 * Every kind of error this service answers with, each with a stable RFC 9457 {@code type} URI.
 * The URIs are tag URIs (RFC 4151): stable identifiers that are not meant to be dereferenced.
 */
public enum ProblemType {
    MALFORMED_JSON("malformed-json", HttpStatus.BAD_REQUEST, "Malformed JSON"),
    BAD_REQUEST("bad-request", HttpStatus.BAD_REQUEST, "Bad request"),
    NOT_FOUND("not-found", HttpStatus.NOT_FOUND, "Not found"),
    METHOD_NOT_ALLOWED("method-not-allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
    NOT_ACCEPTABLE("not-acceptable", HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),
    PAYLOAD_TOO_LARGE("payload-too-large", HttpStatus.CONTENT_TOO_LARGE, "Payload too large"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
    INVALID_REQUEST("invalid-request", HttpStatus.UNPROCESSABLE_CONTENT, "Invalid request"),
    RESULT_OUT_OF_RANGE("result-out-of-range", HttpStatus.UNPROCESSABLE_CONTENT, "Result out of range"),
    OVERLOADED("overloaded", HttpStatus.SERVICE_UNAVAILABLE, "Service overloaded"),
    DEADLINE_EXCEEDED("deadline-exceeded", HttpStatus.SERVICE_UNAVAILABLE, "Deadline exceeded"),
    INTERNAL_ERROR("internal-error", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error"),
    NOT_IMPLEMENTED("not-implemented", HttpStatus.NOT_IMPLEMENTED, "Not implemented"),
    HTTP_VERSION_NOT_SUPPORTED("http-version-not-supported", HttpStatus.HTTP_VERSION_NOT_SUPPORTED,
            "HTTP version not supported"),
    HTTP_ERROR("http-error", null, null);

    private static final String TYPE_PREFIX = "tag:loss-service,2026:problems/";

    private final URI type;
    private final HttpStatus status;
    private final String title;

    ProblemType(String slug, HttpStatus status, String title) {
        this.type = URI.create(TYPE_PREFIX + slug);
        this.status = status;
        this.title = title;
    }

    public URI type() {
        return type;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The problem type for an HTTP status that has no more specific cause. */
    public static ProblemType forStatus(int status) {
        for (ProblemType candidate : values()) {
            if (candidate.status != null && candidate.status.value() == status && candidate != RESULT_OUT_OF_RANGE
                    && candidate != MALFORMED_JSON && candidate != DEADLINE_EXCEEDED) {
                return candidate;
            }
        }
        return HTTP_ERROR;
    }
}
