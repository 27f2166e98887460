package lossservice.metrics;

import java.util.EnumSet;

import lossservice.backend.ActiveBackend;

import jakarta.servlet.DispatcherType;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import io.micrometer.core.instrument.MeterRegistry;

@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

    @Bean
    LossMetrics lossMetrics(MeterRegistry registry, ActiveBackend backend) {
        return new LossMetrics(registry, backend.kind().wireName());
    }

    /**
     * In place of Spring Boot's observation filter (its auto-configuration is excluded by the application), at the
     * same place in the chain: first, so that every request is timed, those the limits turn away included.
     */
    @Bean
    FilterRegistrationBean<HttpRequestMetricsFilter> httpRequestMetricsFilter(MeterRegistry registry) {
        FilterRegistrationBean<HttpRequestMetricsFilter> registration =
                new FilterRegistrationBean<>(new HttpRequestMetricsFilter(registry));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        registration.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        registration.setAsyncSupported(true);
        return registration;
    }
}
