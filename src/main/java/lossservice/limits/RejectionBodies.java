package lossservice.limits;

/**
 * The error format of the paths whose clients do not read problem+json, for the answers {@link RequestLimitsFilter}
 * gives before any controller runs (413 for a declared body over the size limit, 503 when overloaded). The status
 * and headers stay the filter's (the problem type's status); only the body differs. A path no bean covers is
 * answered with problem+json.
 */
public interface RejectionBodies {

    /** Whether answers to this path (without the context path) take this format. */
    boolean covers(String path);

    /** The content type of {@link #body}. */
    String contentType();

    /** The body of an answer with this client-safe message. */
    byte[] body(String message);
}
