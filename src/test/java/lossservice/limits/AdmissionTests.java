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

    @Test
    void tryAdmitTakesOnlyAPlaceFreeNowAndNeverOvertakesAWaitingRequest() throws Exception {
        Admission admission = new Admission(1, 1, SMALL, Duration.ofSeconds(10), 1);
        Admission.Place large = admission.tryAdmit(5_000);
        assertThat(large).as("a free place").isNotNull();
        assertThat(admission.tryAdmit(5_000)).as("no place for a large one").isNull();
        Admission.Place small = admission.tryAdmit(SMALL);
        assertThat(small).as("the small place").isNotNull();
        assertThat(admission.tryAdmit(10)).as("every place taken").isNull();
        assertThat(admission.inProgress()).isEqualTo(2);

        List<String> order = new CopyOnWriteArrayList<>();
        Thread waiting = waiter(admission, 5_000, "waiting", order);
        awaitWaiting(waiting);
        small.close(); // the small place is free, but a request waits: tryAdmit does not take what it may get
        assertThat(admission.tryAdmit(10)).as("not ahead of the waiting request").isNull();

        large.close();
        waiting.join();
        assertThat(order).containsExactly("waiting");
        Admission.Place after = admission.tryAdmit(SMALL);
        assertThat(after).as("free again once nobody waits").isNotNull();
        after.close();
        assertThat(admission.inProgress()).isZero();
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
