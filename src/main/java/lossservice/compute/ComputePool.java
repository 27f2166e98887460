package lossservice.compute;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import lossservice.problem.DeadlineExceededException;

import org.springframework.beans.factory.DisposableBean;

/**
 * The bounded pool of platform threads, one per core by default, on which ND4J computations run.
 *
 * <p>Request threads decode and encode; these threads compute. Each keeps its own {@link Scratch} (kept arrays,
 * prepared operations and a workspace), created with the thread and released when it ends, so off-heap memory is
 * bounded by the pool size times the largest request rather than by the number of HTTP threads, and the cores are
 * not oversubscribed by ND4J's own parallelism.
 *
 * <p>A small computation (at most {@code callerThreadMaxElements} input elements, tens of microseconds) runs on
 * the calling thread instead, with one of as many scratches as the pool has threads, taken for the computation and
 * given back: handing it to a worker and waking the caller again cost more than the computation itself (measured
 * at 2x10, half of a worker's time went to the two hand-offs). The number of computations at once stays bounded,
 * and a small one's kept arrays stay small; its workspace is the calling thread's own (ND4J keeps workspaces per
 * thread), sized by small computations only.
 *
 * <p>Every computation runs under a deadline: the one it is given, or that of the request the calling thread
 * serves ({@link CurrentDeadline}, provided by the request limits, which also decide how many requests may compute
 * at once). A computation still running at its deadline is abandoned ({@link DeadlineExceededException}).
 */
public class ComputePool implements DisposableBean {

    /** The deadline of a computation asked for outside any request (tests, tools). */
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

    private final ExecutorService executor;
    private final CurrentDeadline currentDeadline;
    private final long callerThreadMaxElements;
    /** The scratches of computations run on their callers' threads, one per pool thread. */
    private final BlockingQueue<Scratch> callerScratches;

    /** A pool whose computations outside a request get {@link #DEFAULT_DEADLINE}. */
    public ComputePool(int threads) {
        this(threads, () -> null);
    }

    /** A pool on whose threads every computation runs. */
    public ComputePool(int threads, CurrentDeadline currentDeadline) {
        this(threads, currentDeadline, 0);
    }

    /**
     * @param callerThreadMaxElements computations of at most this many input elements run on the calling thread
     *                                (0: none)
     */
    public ComputePool(int threads, CurrentDeadline currentDeadline, long callerThreadMaxElements) {
        AtomicInteger counter = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                task -> new Worker(task, "loss-compute-" + counter.incrementAndGet()));
        this.currentDeadline = currentDeadline;
        this.callerThreadMaxElements = callerThreadMaxElements;
        this.callerScratches = new ArrayBlockingQueue<>(threads);
        if (callerThreadMaxElements > 0) {
            for (int i = 0; i < threads; i++) {
                callerScratches.add(Scratch.forCallerThreads());
            }
        }
    }

    /**
     * Runs a computation on the pool and waits for it until the current request's deadline (or
     * {@link #DEFAULT_DEADLINE} from now, outside a request); its exceptions reach the caller unwrapped.
     */
    public <T> T run(Supplier<T> computation) {
        return run(currentDeadline(), computation);
    }

    /** Runs a computation on the pool and waits for it until {@code deadline}; its exceptions reach the caller unwrapped. */
    public <T> T run(Deadline deadline, Supplier<T> computation) {
        deadline.check();
        Future<T> future = executor.submit(computation::get);
        try {
            return future.get(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // ND4J cannot be interrupted: the computation finishes on its thread and its result is dropped.
            future.cancel(true);
            throw deadline.exceeded();
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

    /** Runs a computation on one of the pool's workers with the worker's own {@link Scratch}, as {@link #run}. */
    public <T> T compute(Function<Scratch, T> computation) {
        return run(() -> computation.apply(((Worker) Thread.currentThread()).scratch));
    }

    /** As {@link #compute(Function)}, until {@code deadline}. */
    public <T> T compute(Deadline deadline, Function<Scratch, T> computation) {
        return run(deadline, () -> computation.apply(((Worker) Thread.currentThread()).scratch));
    }

    /**
     * Runs a computation of {@code elements} input elements until {@code deadline} (null: the current request's):
     * on the calling thread when it is small (see the class), else as {@link #compute(Deadline, Function)}.
     */
    public <T> T compute(Deadline deadline, long elements, Function<Scratch, T> computation) {
        Deadline until = deadline != null ? deadline : currentDeadline();
        if (elements > callerThreadMaxElements) {
            return compute(until, computation);
        }
        until.check();
        Scratch scratch;
        try {
            scratch = callerScratches.poll(Math.max(0, until.remainingNanos()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a scratch", e);
        }
        if (scratch == null) {
            throw until.exceeded();
        }
        try {
            T result = computation.apply(scratch);
            until.check();
            return result;
        } finally {
            callerScratches.add(scratch);
        }
    }

    private Deadline currentDeadline() {
        Deadline deadline = currentDeadline.get();
        return deadline != null ? deadline : Deadline.after(DEFAULT_DEADLINE);
    }

    @Override
    public void destroy() {
        executor.shutdown();
        for (Scratch scratch; (scratch = callerScratches.poll()) != null; ) {
            scratch.close();
        }
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
}
