package lossservice.crossentropy;

import lossservice.backend.ActiveBackend;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class CrossEntropyConfiguration {

    @Bean
    CrossEntropyLoss crossEntropyLoss(ActiveBackend backend) {
        return new CrossEntropyLoss(backend.kind().wireName());
    }
}
