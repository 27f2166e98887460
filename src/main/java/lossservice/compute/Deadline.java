package lossservice.compute;

import java.time.Duration;

import lossservice.problem.DeadlineExceededException;

/**
 * The moment by which a request must be answered ({@link System#nanoTime()} based), with the budget it was given,
 * for the message of the 503 that says it was missed.
 */
public record Deadline(long nanos, Duration budget) {

    /** A deadline {@code budget} from now. */
    public static Deadline after(Duration budget) {
        return new Deadline(System.nanoTime() + budget.toNanos(), budget);
    }

    /** Nanoseconds left; zero or less once it has passed. */
    public long remainingNanos() {
        return nanos - System.nanoTime();
    }

    public boolean passed() {
        return remainingNanos() <= 0;
    }

    /** Throws {@link DeadlineExceededException} once the deadline has passed; cheap enough for every read of a body. */
    public void check() {
        if (passed()) {
            throw exceeded();
        }
    }

    /** The exception that reports this deadline as missed (answered 503 deadline-exceeded). */
    public DeadlineExceededException exceeded() {
        return new DeadlineExceededException("The request was not answered within the processing deadline of "
                + budget.toMillis() / 1000.0 + " s.");
    }
}
