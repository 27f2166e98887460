package lossservice.limits;

import lossservice.compute.CurrentDeadline;
import lossservice.compute.Deadline;

/**
 * The deadline of the request each thread is serving, for the compute pool: {@link RequestLimitsFilter} starts a
 * request's deadline when its head arrives and binds it to the thread that runs the controller.
 */
final class RequestDeadlines implements CurrentDeadline {

    private final ThreadLocal<Deadline> current = new ThreadLocal<>();

    @Override
    public Deadline get() {
        return current.get();
    }

    /** Makes {@code deadline} the current thread's until the returned binding is closed. */
    Binding bind(Deadline deadline) {
        Deadline previous = current.get();
        current.set(deadline);
        return () -> {
            if (previous == null) {
                current.remove();
            } else {
                current.set(previous);
            }
        };
    }

    interface Binding extends AutoCloseable {
        @Override
        void close();
    }
}
