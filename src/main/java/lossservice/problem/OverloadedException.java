package lossservice.problem;

/** Every place for work is taken and none came free in time (answered 503 with {@code Retry-After}). */
public class OverloadedException extends RuntimeException {

    private final long retryAfterSeconds;

    public OverloadedException(String clientMessage, long retryAfterSeconds) {
        super(clientMessage, null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
