package lossservice.metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The service's own metrics, all named {@code loss_*} in Prometheus (Micrometer's {@code loss.*}):
 * <ul>
 *   <li>{@code loss_computation_seconds{loss, protocol, backend}}: time of the ND4J computation alone
 *       (histogram);</li>
 *   <li>{@code loss_batch_elements{loss, protocol}}: the elements of the first input of each computed batch,
 *       all dimensions (histogram);</li>
 *   <li>{@code loss_rejections_total{reason, protocol}}: requests turned away, by reason and protocol.</li>
 * </ul>
 * The protocols are {@link #PROTOCOLS}. Request latency as a whole is Spring's {@code http_server_requests_seconds}.
 */
public class LossMetrics {

    /** The values of the {@code protocol} tag: the JSON endpoints, and the Open Inference Protocol over HTTP and gRPC. */
    public static final String[] PROTOCOLS = {"rest", "v2", "grpc"};

    /** Why a request was turned away: the values of the {@code reason} tag. */
    public enum Rejection {
        PAYLOAD_TOO_LARGE("payload_too_large"),
        OVERLOADED("overloaded"),
        DEADLINE_EXCEEDED("deadline_exceeded"),
        MALFORMED_JSON("malformed_json"),
        INVALID_REQUEST("invalid_request"),
        RESULT_OUT_OF_RANGE("result_out_of_range"),
        UNSUPPORTED_MEDIA_TYPE("unsupported_media_type");

        private final String tag;

        Rejection(String tag) {
            this.tag = tag;
        }
    }

    private final MeterRegistry registry;
    private final String backend;
    private final Map<String, Instruments> instruments = new ConcurrentHashMap<>();
    private final Map<String, Map<Rejection, Counter>> rejections = new ConcurrentHashMap<>();

    private record Instruments(Timer computation, DistributionSummary batchElements) {
    }

    /**
     * @param backend the backend that computes every response ({@code cpu} or {@code cuda}), for the tag
     */
    public LossMetrics(MeterRegistry registry, String backend) {
        this.registry = registry;
        this.backend = backend;
        for (String protocol : PROTOCOLS) {
            Map<Rejection, Counter> counters = new EnumMap<>(Rejection.class);
            for (Rejection reason : Rejection.values()) {
                counters.put(reason, Counter.builder("loss.rejections")
                        .description("Requests turned away, by reason and protocol")
                        .tag("reason", reason.tag)
                        .tag("protocol", protocol)
                        .register(registry));
            }
            rejections.put(protocol, counters);
        }
    }

    /** Registers the meters of a loss on a protocol, so that they are scraped (at zero) before its first request. */
    public void register(String loss, String protocol) {
        instruments(loss, protocol);
    }

    /** Runs and times one computation of a loss whose first input has {@code elements} elements. */
    public <T> T computation(String loss, String protocol, long elements, Supplier<T> work) {
        Instruments meters = instruments(loss, protocol);
        meters.batchElements().record(elements);
        return meters.computation().record(work);
    }

    public void rejected(Rejection reason, String protocol) {
        rejections.get(protocol).get(reason).increment();
    }

    private Instruments instruments(String loss, String protocol) {
        return instruments.computeIfAbsent(loss + '\n' + protocol, key -> new Instruments(
                Timer.builder("loss.computation")
                        .description("Time of the loss computation alone, without decoding and encoding")
                        .tag("loss", loss)
                        .tag("protocol", protocol)
                        .tag("backend", backend)
                        .publishPercentileHistogram()
                        .register(registry),
                DistributionSummary.builder("loss.batch.elements")
                        .description("Elements of the first input of each computed batch, all dimensions")
                        .baseUnit("elements")
                        .tag("loss", loss)
                        .tag("protocol", protocol)
                        .publishPercentileHistogram()
                        .register(registry)));
    }
}
