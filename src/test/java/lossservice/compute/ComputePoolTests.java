package lossservice.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import lossservice.problem.DeadlineExceededException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where computations run: small ones on the calling thread with one of a bounded set of scratches, larger ones on
 * the pool's workers; deadlines hold on both paths.
 */
class ComputePoolTests {

    private static final Scratch.Slot VALUES = Scratch.slot("test.pool.values");

    private final ComputePool pool = new ComputePool(2, () -> null, 100);

    @AfterEach
    void shutDown() {
        pool.destroy();
    }

    @Test
    void aSmallComputationRunsOnTheCallingThreadAndALargeOneOnAWorker() {
        Thread caller = Thread.currentThread();

        Thread small = pool.compute(Deadline.after(Duration.ofSeconds(5)), 100, scratch -> Thread.currentThread());
        Thread large = pool.compute(Deadline.after(Duration.ofSeconds(5)), 101, scratch -> Thread.currentThread());

        assertThat(small).isSameAs(caller);
        assertThat(large).isNotSameAs(caller);
        assertThat(large.getName()).startsWith("loss-compute-");
    }

    @Test
    void withoutAThresholdEveryComputationRunsOnAWorker() {
        ComputePool workersOnly = new ComputePool(1, () -> null);
        try {
            Thread ran = workersOnly.compute(Deadline.after(Duration.ofSeconds(5)), 1, scratch -> Thread.currentThread());
            assertThat(ran).isNotSameAs(Thread.currentThread());
        } finally {
            workersOnly.destroy();
        }
    }

    @Test
    void scratchesOnCallingThreadsKeepTheirArraysAndComputeCorrectly() {
        float[] sums = new float[2];
        for (int i = 0; i < 2; i++) {
            float scale = i + 1;
            sums[i] = pool.compute(Deadline.after(Duration.ofSeconds(5)), 3, scratch -> {
                INDArray values = scratch.array(VALUES, DataType.FLOAT, 3);
                values.assign(scale);
                return values.sumNumber().floatValue();
            });
        }
        assertThat(sums).containsExactly(3f, 6f);
    }

    @Test
    void noMoreSmallComputationsRunAtOnceThanThePoolHasThreads() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Set<Scratch> scratches = ConcurrentHashMap.newKeySet();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                calls.add(callers.submit(() -> pool.compute(Deadline.after(Duration.ofSeconds(10)), 1, scratch -> {
                    scratches.add(scratch);
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    running.decrementAndGet();
                    return null;
                })));
            }
            for (Future<?> call : calls) {
                call.get(30, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(most.get()).isEqualTo(2);
        assertThat(scratches).hasSize(2);
    }

    @Test
    void aSmallComputationWaitingForAScratchPastItsDeadlineIsRefused() throws Exception {
        CountDownLatch holding = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 2; i++) {
                callers.submit(() -> pool.compute(Deadline.after(Duration.ofSeconds(10)), 1, scratch -> {
                    holding.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return null;
                }));
            }
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

            long start = System.nanoTime();
            assertThatThrownBy(() -> pool.compute(Deadline.after(Duration.ofMillis(200)), 1, scratch -> "never"))
                    .isInstanceOf(DeadlineExceededException.class);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
        } finally {
            release.countDown();
            callers.shutdown();
        }
        // The scratches came back: a small computation runs again.
        assertThat(pool.<String>compute(Deadline.after(Duration.ofSeconds(5)), 1, scratch -> "again")).isEqualTo("again");
    }

    @Test
    void aSmallComputationThatEndsAfterItsDeadlineIsRefusedAndGivesItsScratchBack() {
        assertThatThrownBy(() -> pool.compute(Deadline.after(Duration.ofMillis(20)), 1, scratch -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "late";
        })).isInstanceOf(DeadlineExceededException.class);

        for (int i = 0; i < 3; i++) {
            assertThat(pool.<String>compute(Deadline.after(Duration.ofSeconds(5)), 1, scratch -> "on time")).isEqualTo("on time");
        }
    }

    @Test
    void aFailingSmallComputationGivesItsScratchBack() {
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> pool.compute(Deadline.after(Duration.ofSeconds(5)), 1, scratch -> {
                throw new IllegalArgumentException("bad");
            })).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(pool.<String>compute(Deadline.after(Duration.ofSeconds(5)), 1, scratch -> "fine")).isEqualTo("fine");
    }
}
