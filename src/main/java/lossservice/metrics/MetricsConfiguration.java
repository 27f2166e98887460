package lossservice.metrics;

import lossservice.backend.ActiveBackend;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.MeterRegistry;

@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

    @Bean
    LossMetrics lossMetrics(MeterRegistry registry, ActiveBackend backend) {
        return new LossMetrics(registry, backend.kind().wireName());
    }
}
