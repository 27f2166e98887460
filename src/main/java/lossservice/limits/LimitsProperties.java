package lossservice.limits;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * What one request may cost the service, and how many may be worked on at once ({@code loss.limits.*}).
 * Every limit is enforced before the memory or time it protects is spent, and answered with problem+json.
 *
 * @param maxBodySize          request bodies above this size, decoded ({@code Content-Encoding} gzip or deflate
 *                             inflated), are answered 413: from {@code Content-Length} before anything is read, or as
 *                             soon as the body read (and inflated) so far passes it
 * @param maxElements          the most numbers in {@code logits} (N x C); more is answered 422
 * @param maxOutputElements    the most numbers the requested outputs may hold in total (each of smoothed targets,
 *                             probabilities and gradient holds N x C, per-sample losses N); more is answered 422
 * @param maxJsonDepth         the deepest nesting of JSON arrays and objects; deeper is answered 422 (V2: 400)
 * @param maxNumberLength      the most characters in one JSON number; longer is answered 422 (V2: 400)
 * @param maxStringLength      the most characters in one JSON string or field name; longer is answered 422 (V2: 400)
 * @param deadline             the longest one request may take from its arrival (its head read) to its answer:
 *                             receiving the body, waiting for a place and the work; past it 503
 * @param maxConcurrentRequests places: requests allowed in decoding and computation at once; 0 means twice the cores
 * @param admissionWait        how long a request whose body has arrived waits for a place before it is answered 503
 * @param retryAfter           the {@code Retry-After} sent with an overload 503 (whole seconds)
 * @param maxBufferedBytes     the most memory the bodies being received or waiting for their answer may take
 *                             together (bodies are read whole before a place is taken); a body that would pass it is
 *                             answered 503 overloaded. The last quarter is kept for small requests
 * @param smallRequestSize     a request whose decoded body is at most this size is small: it is admitted before
 *                             larger ones waiting with it, and may use the small-request places and the last quarter
 *                             of the body memory
 * @param smallRequestPlaces   places only small requests may take, beyond {@code maxConcurrentRequests}; 0 means the
 *                             number of cores
 */
@ConfigurationProperties("loss.limits")
public record LimitsProperties(
        @DefaultValue("64MB") DataSize maxBodySize,
        @DefaultValue("16777216") long maxElements,
        @DefaultValue("16777216") long maxOutputElements,
        @DefaultValue("16") int maxJsonDepth,
        @DefaultValue("1000") int maxNumberLength,
        @DefaultValue("1024") int maxStringLength,
        @DefaultValue("30s") Duration deadline,
        @DefaultValue("0") int maxConcurrentRequests,
        @DefaultValue("1s") Duration admissionWait,
        @DefaultValue("1s") Duration retryAfter,
        @DefaultValue("256MB") DataSize maxBufferedBytes,
        @DefaultValue("1MB") DataSize smallRequestSize,
        @DefaultValue("0") int smallRequestPlaces) {

    /** The defaults, as documented; for code that runs outside the application context. */
    public static LimitsProperties defaults() {
        return new LimitsProperties(DataSize.ofMegabytes(64), 16_777_216, 16_777_216, 16, 100, 1024,
                Duration.ofSeconds(30), 0, Duration.ofSeconds(1), Duration.ofSeconds(1), DataSize.ofMegabytes(256),
                DataSize.ofMegabytes(1), 0);
    }

    public int effectiveMaxConcurrentRequests() {
        return maxConcurrentRequests > 0 ? maxConcurrentRequests : 2 * Runtime.getRuntime().availableProcessors();
    }

    public int effectiveSmallRequestPlaces() {
        return smallRequestPlaces > 0 ? smallRequestPlaces : Runtime.getRuntime().availableProcessors();
    }

    /** Whole seconds, at least 1. */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
