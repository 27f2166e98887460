package lossservice.metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The service's own metrics, all named {@code loss_*} in Prometheus (Micrometer's {@code loss.*}):
 * <ul>
 *   <li>{@code loss_computation_seconds{backend}}: time of the ND4J computation alone (histogram);</li>
 *   <li>{@code loss_batch_elements}: N x C of each computed batch (histogram);</li>
 *   <li>{@code loss_rejections_total{reason}}: requests turned away, by reason.</li>
 * </ul>
 * Request latency as a whole is Spring's {@code http_server_requests_seconds}.
 */
public class LossMetrics {

    /** Why a request was turned away: the values of the {@code reason} tag. */
    public enum Rejection {
        PAYLOAD_TOO_LARGE("payload_too_large"),
        OVERLOADED("overloaded"),
        DEADLINE_EXCEEDED("deadline_exceeded"),
        MALFORMED_JSON("malformed_json"),
        INVALID_REQUEST("invalid_request"),
        RESULT_OUT_OF_RANGE("result_out_of_range");

        private final String tag;

        Rejection(String tag) {
            this.tag = tag;
        }
    }

    private final Timer computation;
    private final DistributionSummary batchElements;
    private final Map<Rejection, Counter> rejections = new EnumMap<>(Rejection.class);

    /**
     * @param backend the backend that computes every response ({@code cpu} or {@code cuda}), for the tag
     */
    public LossMetrics(MeterRegistry registry, String backend) {
        this.computation = Timer.builder("loss.computation")
                .description("Time of the loss computation alone, without decoding and encoding")
                .tag("backend", backend)
                .publishPercentileHistogram()
                .register(registry);
        this.batchElements = DistributionSummary.builder("loss.batch.elements")
                .description("N x C of each computed batch")
                .baseUnit("elements")
                .publishPercentileHistogram()
                .register(registry);
        for (Rejection reason : Rejection.values()) {
            rejections.put(reason, Counter.builder("loss.rejections")
                    .description("Requests turned away, by reason")
                    .tag("reason", reason.tag)
                    .register(registry));
        }
    }

    /** Runs and times one computation of a batch of {@code elements} numbers (N x C). */
    public <T> T computation(long elements, Supplier<T> work) {
        batchElements.record(elements);
        return computation.record(work);
    }

    public void rejected(Rejection reason) {
        rejections.get(reason).increment();
    }
}
