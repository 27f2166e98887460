package lossservice.compute;

/**
 * Where {@link ComputePool#run(java.util.function.Supplier)} finds the deadline of the request the calling thread
 * is serving. The request limits provide it (they start every request's deadline); the compute pool only honours it.
 */
@FunctionalInterface
public interface CurrentDeadline {

    /** The deadline of the request the calling thread serves, or null outside one. */
    Deadline get();
}
