package lossservice.inference.grpc;

import lossservice.limits.Admission;
import lossservice.limits.LimitsProperties;
import lossservice.loss.LossRegistry;
import lossservice.metrics.LossMetrics;
import lossservice.serving.LossExecutor;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The gRPC server, unless {@code loss.grpc.enabled=false}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GrpcProperties.class)
@ConditionalOnProperty(name = "loss.grpc.enabled", havingValue = "true", matchIfMissing = true)
class GrpcConfiguration {

    @Bean
    GrpcServer grpcServer(GrpcProperties properties, LossRegistry registry, LossExecutor executor,
            Admission admission, LossMetrics metrics, ApplicationAvailability availability, LimitsProperties limits,
            @Value("${spring.application.name:loss-service}") String name,
            @Value("${loss.inference.server-version:unknown}") String version,
            @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") java.time.Duration shutdownTimeout) {
        InferenceGrpcService service = new InferenceGrpcService(registry, executor, admission, metrics, availability,
                limits, name, version);
        return new GrpcServer(properties, service, availability, limits.maxBodySize().toBytes(), shutdownTimeout);
    }
}
