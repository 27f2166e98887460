package lossservice.compute;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Computations on the calling thread ({@link ComputePool#tryComputeHere}): they run there, at most
 * {@link ComputePool#CALLER_SCRATCHES} at once, never wait (a caller that finds none free is told so and nothing
 * runs), and a scratch given back serves the next caller.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ComputePoolTests {

    private final ComputePool pool = new ComputePool(1);

    @AfterEach
    void release() {
        pool.destroy();
    }

    @Test
    void aSmallComputationRunsOnTheCallersThreadWithAScratch() {
        Thread caller = Thread.currentThread();

        Thread ranOn = pool.tryComputeHere(scratch -> {
            assertThat(scratch).isNotNull();
            return Thread.currentThread();
        });

        assertThat(ranOn).isSameAs(caller);
    }

    @Test
    void whenEveryScratchIsTakenACallerIsToldAtOnceAndNothingRuns() throws Exception {
        CountDownLatch computing = new CountDownLatch(ComputePool.CALLER_SCRATCHES);
        CountDownLatch finish = new CountDownLatch(1);
        List<Thread> holders = new ArrayList<>();
        for (int i = 0; i < ComputePool.CALLER_SCRATCHES; i++) {
            Thread holder = new Thread(() -> pool.tryComputeHere(scratch -> {
                computing.countDown();
                try {
                    return finish.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }));
            holder.start();
            holders.add(holder);
        }
        assertThat(computing.await(10, TimeUnit.SECONDS)).as("every scratch taken").isTrue();

        // Were it to wait for a scratch, it would wait for the holders, which finish only after it returns.
        boolean[] ran = {false};
        Object result = pool.tryComputeHere(scratch -> ran[0] = true);

        assertThat(result).isNull();
        assertThat(ran[0]).isFalse();

        finish.countDown();
        for (Thread holder : holders) {
            holder.join();
        }
        String again = pool.tryComputeHere(scratch -> "again");
        assertThat(again).as("a scratch given back serves the next").isEqualTo("again");
    }
}
