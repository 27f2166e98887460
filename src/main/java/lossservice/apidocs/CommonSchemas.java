package lossservice.apidocs;

import static lossservice.apidocs.Maps.list;
import static lossservice.apidocs.Maps.map;
import static lossservice.apidocs.Maps.ref;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of the OpenAPI document every loss shares: nested number arrays, the problem+json schemas, and the
 * description and an example of each kind of error a JSON endpoint may answer with (the answers themselves are
 * built by {@code ProblemDetails}).
 */
final class CommonSchemas {

    private CommonSchemas() {
    }

    static final String MALFORMED_JSON = """
            The body is not well-formed JSON: truncated, a trailing comma, a bare `NaN` or `Infinity` token, \
            an empty body. Type `tag:loss-service,2026:problems/malformed-json`.""";

    static final String MALFORMED_JSON_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/malformed-json",
              "title": "Malformed JSON",
              "status": 400,
              "detail": "The body is not well-formed JSON at line 1, column 20: Unexpected end-of-input within/between Array entries.",
              "instance": "/v1/losses/cross-entropy"
            }""";

    static final String NOT_ACCEPTABLE = """
            The `Accept` header rules out `application/json`. Type \
            `tag:loss-service,2026:problems/not-acceptable`.""";

    static final String NOT_ACCEPTABLE_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/not-acceptable",
              "title": "Not acceptable",
              "status": 406,
              "detail": "Acceptable representations: [application/json].",
              "instance": "/v1/losses/cross-entropy"
            }""";

    static final String PAYLOAD_TOO_LARGE = """
            The body is larger than the configured limit (64 MiB by default, counted after inflating a gzip or \
            deflate `Content-Encoding`), known from `Content-Length` before the body is read, or as soon as the \
            body received so far passes it. Type `tag:loss-service,2026:problems/payload-too-large`.""";

    static final String PAYLOAD_TOO_LARGE_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/payload-too-large",
              "title": "Payload too large",
              "status": 413,
              "detail": "The request body is larger than the configured limit.",
              "instance": "/v1/losses/cross-entropy"
            }""";

    static final String UNSUPPORTED_MEDIA_TYPE = """
            The `Content-Type` is not `application/json`, or the `Content-Encoding` is not gzip, deflate or \
            identity. Type `tag:loss-service,2026:problems/unsupported-media-type`.""";

    static final String UNSUPPORTED_MEDIA_TYPE_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/unsupported-media-type",
              "title": "Unsupported media type",
              "status": 415,
              "detail": "Content-Type 'text/plain' is not supported.",
              "instance": "/v1/losses/cross-entropy"
            }""";

    static final String RESULT_OUT_OF_RANGE_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/result-out-of-range",
              "title": "Result out of range",
              "status": 422,
              "detail": "The result overflows float32: the logits, probabilities or weights are too large for the loss to be represented.",
              "instance": "/v1/losses/cross-entropy"
            }""";

    static final String OVERLOADED = """
            The service is at capacity: type `tag:loss-service,2026:problems/overloaded`, retry after the \
            delay given in `Retry-After`. Or the request was not answered within the processing deadline: type \
            `tag:loss-service,2026:problems/deadline-exceeded`.""";

    static final String OVERLOADED_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/overloaded",
              "title": "Service overloaded",
              "status": 503,
              "detail": "The service is at capacity; retry later.",
              "instance": "/v1/losses/cross-entropy"
            }""";

    static final String RETRY_AFTER = "How many seconds to wait before retrying.";

    static final String NOT_FOUND = """
            There is no loss of that name; `GET /v1/losses` lists them. Type \
            `tag:loss-service,2026:problems/not-found`.""";

    static final String NOT_FOUND_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/not-found",
              "title": "Not found",
              "status": 404,
              "detail": "There is no loss named \\"hinge\\"; the losses are %s.",
              "instance": "/v1/losses/hinge"
            }""";

    static final String UNPROCESSABLE = """
            Well-formed JSON that breaks a rule of the request schema or of the loss: ragged arrays, wrong types, \
            strings such as "NaN", numbers beyond the dtype (1e39 in float32, 1e400 always), values out of their \
            range, shapes that do not fit together, class indices out of range, unknown `include` or `reduction` \
            values, unknown or repeated fields, more numbers than the limits allow, JSON beyond the parser's limits \
            (by default nesting depth 16, numbers of 1000 characters, strings of 1024 characters). Type \
            `tag:loss-service,2026:problems/invalid-request`, whose `errors` list every violation with its JSON \
            pointer. Type `tag:loss-service,2026:problems/result-out-of-range` (no `errors`) when the inputs are \
            valid but a result would overflow the dtype.""";

    static final String INVALID_REQUEST_EXAMPLE = """
            {
              "type": "tag:loss-service,2026:problems/invalid-request",
              "title": "Invalid request",
              "status": 422,
              "detail": "The request breaks 2 rules; see errors.",
              "instance": "/v1/losses/cross-entropy",
              "errors": [
                {"pointer": "/epsilon", "message": "must be in [0, 1], found 1.5"},
                {"pointer": "/targets/1", "message": "class index 3 is outside [0, 3) and is not the ignoreIndex (-100)"}
              ]
            }""";

    /** The shared schemas: nested arrays of numbers, and the problem details. */
    static Map<String, Object> all() {
        Map<String, Object> schemas = new LinkedHashMap<>();
        schemas.put("NumberArray", map(
                "type", "array",
                "description", "An array of numbers, nested to any depth (a rectangular tensor, row-major): each item is"
                        + " a number, or an array of the same kind. JSON integers are numbers too.",
                "items", nested("NumberArray", map("type", "number"))));
        schemas.put("IntegerArray", map(
                "type", "array",
                "description", "An array of JSON integers, nested to any depth (class indices): each item is an"
                        + " integer, or an array of the same kind.",
                "items", nested("IntegerArray", map("type", "integer", "format", "int64"))));
        schemas.put("Problem", map(
                "type", "object",
                "description", "An RFC 9457 problem detail. `type` is a stable URI per kind of error (a tag URI, not"
                        + " meant to be dereferenced); `title` is the same for every problem of that type; `detail`"
                        + " explains this occurrence. No stack trace, exception class or internal name ever appears.",
                "required", list("type", "title", "status"),
                "properties", map(
                        "type", map("type", "string", "format", "uri", "description",
                                "Identifies the kind of error; one of `tag:loss-service,2026:problems/<kind>`.",
                                "examples", list("tag:loss-service,2026:problems/invalid-request")),
                        "title", map("type", "string", "description", "A short summary of the kind of error.",
                                "examples", list("Invalid request")),
                        "status", map("type", "integer", "format", "int32", "minimum", 400, "maximum", 599,
                                "description", "The HTTP status code."),
                        "detail", map("type", "string", "description",
                                "What went wrong with this request, in plain words."),
                        "instance", map("type", "string", "format", "uri-reference", "description",
                                "The path of the request that failed."),
                        "errors", map("type", "array", "items", ref("Violation"), "description", "Present on"
                                + " `invalid-request` problems only: every rule the request breaks (at most 100 are"
                                + " listed; `detail` gives the total).")),
                "additionalProperties", false));
        schemas.put("Violation", map(
                "type", "object",
                "description", "One rule broken by the request, and where.",
                "required", list("pointer", "message"),
                "properties", map(
                        "pointer", map("type", "string", "description", "An RFC 6901 JSON pointer to the offending"
                                + " value in the request body (`\"\"` for the body itself).",
                                "examples", list("/targets/3")),
                        "message", map("type", "string", "description", "What is wrong with it.",
                                "examples", list("class index 12 is outside [0, 10) and is not the ignoreIndex (-100)"))),
                "additionalProperties", false));
        return schemas;
    }

    /**
     * An item of a nested array: an element, or else an array of the same kind. Said with {@code if}/{@code then}/
     * {@code else} rather than {@code anyOf}: the same instances are valid, and client generators, which do not
     * follow conditionals, see an array of any items (a nested list in every language) instead of making a union
     * type of a recursive array, which none of them generates well.
     */
    private static Map<String, Object> nested(String array, Map<String, Object> element) {
        return map("if", map("type", element.get("type")), "then", element, "else", ref(array));
    }

    /** The problem+json answers every JSON endpoint may give, by name. */
    static Map<String, Object> responses(List<String> losses) {
        Map<String, Object> responses = new LinkedHashMap<>();
        responses.put("MalformedJson", problem(MALFORMED_JSON, "malformedJson", "A truncated body.",
                MALFORMED_JSON_EXAMPLE));
        responses.put("NotFound", problem(NOT_FOUND, "unknownLoss", "A loss that does not exist.",
                NOT_FOUND_EXAMPLE.formatted(String.join(", ", losses))));
        responses.put("NotAcceptable", problem(NOT_ACCEPTABLE, "notAcceptable", "Accept: text/html.",
                NOT_ACCEPTABLE_EXAMPLE));
        responses.put("PayloadTooLarge", problem(PAYLOAD_TOO_LARGE, "payloadTooLarge", "A body over the limit.",
                PAYLOAD_TOO_LARGE_EXAMPLE));
        responses.put("UnsupportedMediaType", problem(UNSUPPORTED_MEDIA_TYPE, "unsupportedMediaType",
                "Content-Type: text/plain.", UNSUPPORTED_MEDIA_TYPE_EXAMPLE));
        Map<String, Object> unprocessable = problem(UNPROCESSABLE, "invalidRequest", "Two rules broken.",
                INVALID_REQUEST_EXAMPLE);
        examples(unprocessable).put("resultOutOfRange", map("description", "A loss beyond float32.",
                "value", LossApiDocs.parse(RESULT_OUT_OF_RANGE_EXAMPLE)));
        responses.put("Unprocessable", unprocessable);
        Map<String, Object> overloaded = problem(OVERLOADED, "overloaded", "Too many requests in flight.",
                OVERLOADED_EXAMPLE);
        overloaded.put("headers", map("Retry-After", map("description", RETRY_AFTER,
                "schema", map("type", "integer", "minimum", 0))));
        responses.put("Overloaded", overloaded);
        return responses;
    }

    private static Map<String, Object> problem(String description, String exampleName, String exampleDescription,
            String example) {
        return map("description", description, "content", map("application/problem+json", map(
                "schema", ref("Problem"),
                "examples", new LinkedHashMap<>(map(exampleName, map("description", exampleDescription,
                        "value", LossApiDocs.parse(example)))))));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> examples(Map<String, Object> response) {
        Map<String, Object> content = (Map<String, Object>) ((Map<String, Object>) response.get("content"))
                .get("application/problem+json");
        return (Map<String, Object>) content.get("examples");
    }
}
