package lossservice.compute;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ComputeProperties.class)
class ComputeConfiguration {

    @Bean
    ComputePool computePool(ComputeProperties properties) {
        return new ComputePool(properties.effectiveThreads());
    }
}
