package lossservice.limits;

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

    @Bean
    Admission admission(LimitsProperties limits) {
        return Admission.from(limits);
    }

    /** The deadline of the request a thread serves, for the compute pool ({@code compute.CurrentDeadline}). */
    @Bean
    RequestDeadlines requestDeadlines() {
        return new RequestDeadlines();
    }

    /**
     * Early in the chain, but inside Spring's observation filter ({@code HIGHEST_PRECEDENCE + 1}), so that
     * requests turned away here still appear in {@code http_server_requests_seconds}.
     */
    @Bean
    FilterRegistrationBean<RequestLimitsFilter> requestLimitsFilter(LimitsProperties limits, Admission admission,
            RequestDeadlines requestDeadlines, LossMetrics metrics, ObjectProvider<RejectionBodies> rejectionBodies) {
        FilterRegistrationBean<RequestLimitsFilter> registration = new FilterRegistrationBean<>(
                new RequestLimitsFilter(limits, admission, requestDeadlines, metrics,
                        rejectionBodies.orderedStream().toList()));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }
}
