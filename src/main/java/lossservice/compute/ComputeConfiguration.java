package lossservice.compute;

import lossservice.backend.ActiveBackend;
import lossservice.backend.BackendKind;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ComputeProperties.class)
class ComputeConfiguration {

    /**
     * Computations run until the deadline of the request they serve, which the request limits provide. Small ones
     * run on their callers' threads on the CPU backend only: CUDA binds a device context to each thread that
     * computes, so there every computation stays on the pool's threads.
     */
    @Bean
    ComputePool computePool(ComputeProperties properties, ObjectProvider<CurrentDeadline> currentDeadline,
            ActiveBackend backend) {
        long callerThreadMaxElements = backend.kind() == BackendKind.CPU ? properties.callerThreadMaxElements() : 0;
        return new ComputePool(properties.effectiveThreads(), currentDeadline.getIfAvailable(() -> () -> null),
                callerThreadMaxElements);
    }
}
