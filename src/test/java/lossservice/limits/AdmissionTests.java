package lossservice.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import lossservice.compute.Deadline;
import lossservice.problem.DeadlineExceededException;
import lossservice.problem.OverloadedException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class AdmissionTests {

    private static final long SMALL = 1_000;

    @Test
    void aFreedPlaceGoesToTheSmallestWaitingRequestNotTheFirstToArrive() throws Exception {
        Admission admission = new Admission(1, 0, SMALL, Duration.ofSeconds(10), 1);
        Admission.Place taken = admission.admit(5_000, Deadline.after(Duration.ofSeconds(30)));
        List<String> order = new CopyOnWriteArrayList<>();
        Thread large = waiter(admission, 50_000, "large", order);
        awaitWaiting(large);
        Thread medium = waiter(admission, 2_000, "medium", order);
        awaitWaiting(medium);
        Thread small = waiter(admission, 100, "small", order);
        awaitWaiting(small);

        taken.close();
        small.join();
        medium.join();
        large.join();

        assertThat(order).containsExactly("small", "medium", "large");
        assertThat(admission.inProgress()).isZero();
    }

    @Test
    void smallRequestsHaveTheirOwnPlacesLargeOnesCannotTake() {
        Admission admission = new Admission(1, 1, SMALL, Duration.ofMillis(100), 1);
        Deadline deadline = Deadline.after(Duration.ofSeconds(30));
        Admission.Place large = admission.admit(5_000, deadline);

        assertThatThrownBy(() -> admission.admit(5_000, deadline)).isInstanceOf(OverloadedException.class);
        Admission.Place small = admission.admit(SMALL, deadline); // the small place
        assertThat(admission.inProgress()).isEqualTo(2);
        assertThatThrownBy(() -> admission.admit(10, deadline)).isInstanceOf(OverloadedException.class);

        small.close();
        small.close(); // once only
        large.close();
        assertThat(admission.inProgress()).isZero();
    }

    @Test
    void aSmallRequestTakesTheSmallPlaceFirstLeavingTheOtherForALargeOne() {
        Admission admission = new Admission(1, 1, SMALL, Duration.ofMillis(100), 1);
        Deadline deadline = Deadline.after(Duration.ofSeconds(30));
        Admission.Place small = admission.admit(10, deadline);
        Admission.Place large = admission.admit(5_000, deadline);
        assertThat(admission.inProgress()).isEqualTo(2);
        small.close();
        large.close();
    }

    @Test
    void theWaitEndsAtTheDeadline() {
        Admission admission = new Admission(1, 0, SMALL, Duration.ofSeconds(10), 1);
        Admission.Place taken = admission.admit(5_000, Deadline.after(Duration.ofSeconds(30)));
        long started = System.nanoTime();

        assertThatThrownBy(() -> admission.admit(5_000, Deadline.after(Duration.ofMillis(200))))
                .isInstanceOf(DeadlineExceededException.class);
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(5_000);
        taken.close();
    }

    private static Thread waiter(Admission admission, long size, String name, List<String> order) {
        Thread thread = new Thread(() -> {
            try (Admission.Place place = admission.admit(size, Deadline.after(Duration.ofSeconds(30)))) {
                order.add(name);
            }
        }, name);
        thread.start();
        return thread;
    }

    /** Waits until the thread is parked waiting for a place. */
    private static void awaitWaiting(Thread thread) throws InterruptedException {
        CountDownLatch never = new CountDownLatch(1);
        while (thread.getState() != Thread.State.TIMED_WAITING) {
            never.await(5, TimeUnit.MILLISECONDS);
        }
    }
}
