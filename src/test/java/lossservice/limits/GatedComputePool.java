package lossservice.limits;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import lossservice.compute.ComputePool;
import lossservice.compute.CurrentDeadline;
import lossservice.compute.Deadline;
import lossservice.compute.Scratch;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The real compute pool, with a gate that tests can close to hold computations busy on the pool's threads
 * (as a long computation would), then open again. While the gate is closed no computation runs on its caller's
 * thread either ({@link #tryComputeHere} finds no scratch free, as when every one is taken), so every call waits for
 * a worker and is held there.
 */
public class GatedComputePool extends ComputePool {

    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final AtomicInteger held = new AtomicInteger();
    /** How many more computations the closed gate holds; the ones after them pass. */
    private final AtomicInteger toHold = new AtomicInteger(Integer.MAX_VALUE);
    private final AtomicInteger computedHere = new AtomicInteger();
    private volatile String lastThreadComputingHere;

    public GatedComputePool(int threads, CurrentDeadline deadlines) {
        super(threads, deadlines);
    }

    /** Every computation passes here ({@code run(Supplier)} comes through with the request's deadline). */
    @Override
    public <T> T run(Deadline deadline, Supplier<T> computation) {
        return super.run(deadline, () -> {
            CountDownLatch current = gate;
            if (current.getCount() > 0 && toHold.getAndDecrement() > 0) {
                held.incrementAndGet();
                try {
                    current.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    held.decrementAndGet();
                }
            }
            return computation.get();
        });
    }

    @Override
    public <T> T tryComputeHere(Function<Scratch, T> computation) {
        if (gate.getCount() > 0) {
            return null;
        }
        T result = super.tryComputeHere(computation);
        if (result != null) {
            computedHere.incrementAndGet();
            lastThreadComputingHere = Thread.currentThread().getName();
        }
        return result;
    }

    /** Computations run on their callers' threads so far. */
    public int computedHere() {
        return computedHere.get();
    }

    /** The name of the thread of the last computation run on its caller's thread. */
    public String lastThreadComputingHere() {
        return lastThreadComputingHere;
    }

    /** From now on computations wait at the gate. */
    public void close() {
        toHold.set(Integer.MAX_VALUE);
        gate = new CountDownLatch(1);
    }

    /** The next {@code count} computations wait at the gate; those after them pass. */
    public void closeFor(int count) {
        toHold.set(count);
        gate = new CountDownLatch(1);
    }

    public void open() {
        gate.countDown();
    }

    /** Computations waiting at the gate now. */
    public int held() {
        return held.get();
    }

    /** Waits until {@code count} computations are held at the gate. */
    public void awaitHeld(int count, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (held.get() < count) {
            if (System.nanoTime() > end) {
                throw new AssertionError("expected " + count + " computations at the gate, found " + held.get());
            }
            Thread.sleep(10);
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    public static class Config {
        @Bean
        @Primary
        GatedComputePool gatedComputePool(CurrentDeadline deadlines) {
            return new GatedComputePool(2, deadlines);
        }
    }
}
