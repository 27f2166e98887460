package lossservice.backend;

/** The configured backend cannot be used; the message is a one-line reason. */
class BackendUnavailableException extends RuntimeException {

    private final String action;

    BackendUnavailableException(String reason, String action) {
        super(reason);
        this.action = action;
    }

    /** What the operator can do about it. */
    String action() {
        return action;
    }
}
