package lossservice.compute;

import lossservice.limits.LimitsProperties;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ComputeProperties.class)
class ComputeConfiguration {

    @Bean
    ComputePool computePool(ComputeProperties properties, LimitsProperties limits) {
        return new ComputePool(properties.effectiveThreads(), limits.effectiveMaxConcurrentRequests(),
                limits.admissionWait(), limits.deadline(), limits.retryAfterSeconds());
    }
}
