package lossservice.limits;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * The whole application on a random port with small limits, so that every limit can be passed with a small
 * request, and a compute pool whose computations tests can hold. Test classes that extend it share one
 * application context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "loss.limits.max-body-size=100KB",
        "loss.limits.max-elements=1000",
        "loss.limits.max-output-elements=1500",
        "loss.limits.max-concurrent-requests=2",
        "loss.limits.admission-wait=100ms",
        "loss.limits.retry-after=2s",
        "loss.limits.deadline=6s",
        // Every request counts as large here, so that the places are exactly max-concurrent-requests; the lane of
        // small requests has tests of its own.
        "loss.limits.small-request-size=16B"})
@Import(GatedComputePool.Config.class)
abstract class SmallLimitsApplicationTests {

    static final String PATH = "/v1/losses/cross-entropy";
    static final String VALID = "{\"logits\": [[0.5, 1.5, -1.0], [2.0, 0.0, 1.0]], \"targets\": [2, 0]}";

    @LocalServerPort
    int port;
}
