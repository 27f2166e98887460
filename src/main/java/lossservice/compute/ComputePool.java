package lossservice.compute;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.springframework.beans.factory.DisposableBean;

/**
 * The bounded pool of platform threads, one per core by default, on which every ND4J computation runs.
 *
 * <p>Request threads decode and encode; only these threads touch ND4J. Each keeps its own ND4J workspace,
 * so off-heap memory is bounded by the pool size times the largest request rather than by the number of
 * HTTP threads, and the cores are not oversubscribed by ND4J's own parallelism.
 */
public final class ComputePool implements DisposableBean {

    private final ExecutorService executor;

    public ComputePool(int threads) {
        AtomicInteger counter = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread thread = new Thread(task, "loss-compute-" + counter.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** Runs a computation on the pool and waits for it; its exceptions reach the caller unwrapped. */
    public <T> T run(Supplier<T> computation) {
        Future<T> future = executor.submit(computation::get);
        try {
            return future.get();
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

    @Override
    public void destroy() {
        executor.shutdown();
    }
}
