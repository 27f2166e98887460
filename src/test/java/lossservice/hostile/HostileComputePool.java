package lossservice.hostile;

import lossservice.compute.CurrentDeadline;
import lossservice.limits.GatedComputePool;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/** The compute pool of {@link HostileClientsApplicationTests}: four threads, with a gate tests can close. */
@TestConfiguration(proxyBeanMethods = false)
class HostileComputePool {

    @Bean
    @Primary
    GatedComputePool hostileGatedComputePool(CurrentDeadline deadlines) {
        return new GatedComputePool(4, deadlines);
    }
}
