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
 * The bounded pool of platform threads, one per core by default, on which every ND4J computation runs.
 *
 * <p>Request threads decode and encode; only these threads touch ND4J. Each keeps its own {@link Scratch} (kept
 * arrays, prepared operations and a workspace), created with the thread and released when it ends, so off-heap
 * memory is bounded by the pool size times the largest request rather than by the number of HTTP threads, and
 * the cores are not oversubscribed by ND4J's own parallelism.
 *
 * <p>A caller that must not wait (a thread serving many connections) may instead run a small computation on its own
 * thread with one of a few scratches kept for that ({@link #tryComputeHere}), when one is free.
 *
 * <p>Every computation runs under a deadline: the one it is given, or that of the request the calling thread
 * serves ({@link CurrentDeadline}, provided by the request limits, which also decide how many requests may compute
 * at once). A computation still running at its deadline is abandoned ({@link DeadlineExceededException}).
 */
public class ComputePool implements DisposableBean {

    /** The deadline of a computation asked for outside any request (tests, tools). */
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

    /** How many small computations may run on their callers' threads at once. */
    static final int CALLER_SCRATCHES = Math.max(2, 2 * Runtime.getRuntime().availableProcessors());

    private final ExecutorService executor;
    private final CurrentDeadline currentDeadline;
    /** The free scratches of computations run on their callers' threads ({@link #tryComputeHere}). */
    private final BlockingQueue<Scratch> callerScratches;
    /** How many of those scratches were made so far (made when first needed, at most {@link #CALLER_SCRATCHES}). */
    private int callerScratchesMade;

    /** A pool whose computations outside a request get {@link #DEFAULT_DEADLINE}. */
    public ComputePool(int threads) {
        this(threads, () -> null);
    }

    public ComputePool(int threads, CurrentDeadline currentDeadline) {
        AtomicInteger counter = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                task -> new Worker(task, "loss-compute-" + counter.incrementAndGet()));
        this.currentDeadline = currentDeadline;
        this.callerScratches = new ArrayBlockingQueue<>(CALLER_SCRATCHES);
    }

    /**
     * Runs a computation on the pool and waits for it until the current request's deadline (or
     * {@link #DEFAULT_DEADLINE} from now, outside a request); its exceptions reach the caller unwrapped.
     */
    public <T> T run(Supplier<T> computation) {
        Deadline deadline = currentDeadline.get();
        return run(deadline != null ? deadline : Deadline.after(DEFAULT_DEADLINE), computation);
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
     * Runs a small computation on the calling thread, with one of the scratches kept for that, when one is free now
     * (at most {@link #CALLER_SCRATCHES} such computations at once). For a caller that must not wait, such as a
     * network event loop: no hand-off to a worker and back (two thread switches, which cost a small computation
     * more than the computation itself) and no blocking. The caller checks the deadline: a small computation takes
     * microseconds.
     *
     * @param computation given the scratch; must not return null
     * @return the computation's result, or null, without running it, when no scratch is free
     */
    public <T> T tryComputeHere(Function<Scratch, T> computation) {
        Scratch scratch = callerScratches.poll();
        if (scratch == null) {
            synchronized (this) {
                if (callerScratchesMade >= CALLER_SCRATCHES) {
                    return null;
                }
                callerScratchesMade++;
            }
            scratch = Scratch.forCallerThreads();
        }
        try {
            return computation.apply(scratch);
        } finally {
            callerScratches.add(scratch);
        }
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
