package lossservice.backend;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** The {@code backend} health component: UP once ND4J is initialised and warmed up. */
@Component
class BackendHealthIndicator implements HealthIndicator {

    private final ActiveBackend activeBackend;

    BackendHealthIndicator(ActiveBackend activeBackend) {
        this.activeBackend = activeBackend;
    }

    @Override
    public Health health() {
        return Health.up().withDetail("backend", activeBackend.kind().wireName()).build();
    }
}
