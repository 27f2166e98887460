package lossservice.compute;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ComputeProperties.class)
class ComputeConfiguration {

    /** Computations run until the deadline of the request they serve, which the request limits provide. */
    @Bean
    ComputePool computePool(ComputeProperties properties, ObjectProvider<CurrentDeadline> currentDeadline) {
        return new ComputePool(properties.effectiveThreads(), currentDeadline.getIfAvailable(() -> () -> null));
    }
}
