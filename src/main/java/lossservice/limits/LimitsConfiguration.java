package lossservice.limits;

import lossservice.compute.ComputePool;
import lossservice.metrics.LossMetrics;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LimitsProperties.class)
class LimitsConfiguration {

    /**
     * Early in the chain, but inside Spring's observation filter ({@code HIGHEST_PRECEDENCE + 1}), so that
     * requests turned away here still appear in {@code http_server_requests_seconds}.
     */
    @Bean
    FilterRegistrationBean<RequestLimitsFilter> requestLimitsFilter(LimitsProperties limits, ComputePool computePool,
            LossMetrics metrics, ObjectProvider<RejectionBodies> rejectionBodies) {
        FilterRegistrationBean<RequestLimitsFilter> registration = new FilterRegistrationBean<>(
                new RequestLimitsFilter(limits, computePool, metrics, rejectionBodies.orderedStream().toList()));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }
}
