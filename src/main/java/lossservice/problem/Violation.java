package lossservice.problem;

/**
 * One rule broken by a request: where (an RFC 6901 JSON pointer into the request body) and what.
 */
public record Violation(String pointer, String message) {
}
