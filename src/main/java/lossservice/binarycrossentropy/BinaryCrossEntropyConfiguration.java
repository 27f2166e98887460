package lossservice.binarycrossentropy;

import lossservice.backend.ActiveBackend;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class BinaryCrossEntropyConfiguration {

    @Bean
    BinaryCrossEntropyLoss binaryCrossEntropyLoss(ActiveBackend backend) {
        return new BinaryCrossEntropyLoss(backend.kind().wireName());
    }
}
