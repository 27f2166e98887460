package lossservice.compute;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import lossservice.problem.DeadlineExceededException;
import lossservice.problem.OverloadedException;

import org.springframework.beans.factory.DisposableBean;

/**
 * The bounded pool of platform threads, one per core by default, on which every ND4J computation runs, and
 * the admission of requests to it.
 *
 * <p>Request threads decode and encode; only these threads touch ND4J. Each keeps its own ND4J workspace,
 * so off-heap memory is bounded by the pool size times the largest request rather than by the number of
 * HTTP threads, and the cores are not oversubscribed by ND4J's own parallelism.
 *
 * <p>A request must be {@linkplain #admit() admitted} before its body is decoded: at most
 * {@code maxConcurrentRequests} are between decoding and their answer at once, so the memory their arrays take
 * is bounded too. A request that finds no place free within {@code admissionWait} is turned away at once
 * ({@link OverloadedException}) instead of queueing without bound. Each admitted request has a deadline; a
 * computation still running at it is abandoned ({@link DeadlineExceededException}).
 */
public class ComputePool implements DisposableBean {

    private final ExecutorService executor;
    private final Semaphore places;
    private final int maxConcurrentRequests;
    private final Duration admissionWait;
    private final Duration deadline;
    private final long retryAfterSeconds;
    /** The admission of the request the current thread is handling, if any. */
    private final ThreadLocal<Admission> current = new ThreadLocal<>();

    /** A pool without admission control to speak of (as many places as one could want, 30 s deadline). */
    public ComputePool(int threads) {
        this(threads, Integer.MAX_VALUE, Duration.ZERO, Duration.ofSeconds(30), 1);
    }

    public ComputePool(int threads, int maxConcurrentRequests, Duration admissionWait, Duration deadline,
            long retryAfterSeconds) {
        AtomicInteger counter = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                task -> new Worker(task, "loss-compute-" + counter.incrementAndGet()));
        this.places = new Semaphore(maxConcurrentRequests, true);
        this.maxConcurrentRequests = maxConcurrentRequests;
        this.admissionWait = admissionWait;
        this.deadline = deadline;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /**
     * Takes a place for the request the current thread handles, waiting at most the admission wait; the
     * returned admission gives it back when closed. Its deadline starts now.
     *
     * @throws OverloadedException when no place came free in time
     */
    public Admission admit() {
        boolean admitted;
        try {
            admitted = places.tryAcquire(admissionWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admitted = false;
        }
        if (!admitted) {
            throw new OverloadedException("The service is at capacity (" + maxConcurrentRequests
                    + " requests in progress); retry after " + retryAfterSeconds + " s.", retryAfterSeconds);
        }
        Admission admission = new Admission(System.nanoTime() + deadline.toNanos());
        current.set(admission);
        return admission;
    }

    /** Requests admitted and not yet finished. */
    public int inProgress() {
        return maxConcurrentRequests - places.availablePermits();
    }

    /**
     * Runs a computation on the pool and waits for it until the current request's deadline (or the configured
     * deadline from now, outside an admitted request); its exceptions reach the caller unwrapped.
     */
    public <T> T run(Supplier<T> computation) {
        Admission admission = current.get();
        long deadlineNanos = admission != null ? admission.deadlineNanos() : System.nanoTime() + deadline.toNanos();
        Future<T> future = executor.submit(computation::get);
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // ND4J cannot be interrupted: the computation finishes on its thread and its result is dropped.
            future.cancel(true);
            throw deadlineExceeded();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a computation", e);
        }
    }

    /**
     * Runs a computation on one of the pool's workers with the worker's own {@link Scratch}, as {@link #run}.
     */
    public <T> T compute(Function<Scratch, T> computation) {
        return run(() -> computation.apply(((Worker) Thread.currentThread()).scratch));
    }

    /** Throws when the current request's deadline has passed; cheap enough to call on every read of a body. */
    public void checkDeadline() {
        Admission admission = current.get();
        if (admission != null && System.nanoTime() - admission.deadlineNanos() > 0) {
            throw deadlineExceeded();
        }
    }

    private DeadlineExceededException deadlineExceeded() {
        return new DeadlineExceededException("The request was not answered within the processing deadline of "
                + deadline.toMillis() / 1000.0 + " s.");
    }

    @Override
    public void destroy() {
        executor.shutdown();
    }

    /** A compute thread and the ND4J memory it keeps between computations, released when the thread ends. */
    private static final class Worker extends Thread {

        private final Scratch scratch = new Scratch();

        Worker(Runnable task, String name) {
            super(task, name);
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                super.run();
            } finally {
                scratch.close();
            }
        }
    }

    /** A place taken by one request; closing it gives the place back. */
    public final class Admission implements AutoCloseable {

        private final long deadlineNanos;
        private boolean closed;

        private Admission(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        long deadlineNanos() {
            return deadlineNanos;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                if (current.get() == this) {
                    current.remove();
                }
                places.release();
            }
        }
    }
}
