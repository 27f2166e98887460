package lossservice.inference.grpc;

import io.grpc.Status;
import lossservice.grpc.v2.GRPCInferenceServiceGrpc;
import lossservice.limits.Admission;
import lossservice.limits.BodyMemory;
import lossservice.limits.LimitsProperties;
import lossservice.loss.LossRegistry;
import lossservice.metrics.LossMetrics;
import lossservice.metrics.LossMetrics.Rejection;
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
            Admission admission, BodyMemory bodyMemory, LossMetrics metrics, ApplicationAvailability availability,
            LimitsProperties limits,
            @Value("${spring.application.name:loss-service}") String name,
            @Value("${loss.inference.server-version:unknown}") String version,
            @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") java.time.Duration shutdownTimeout) {
        InferenceGrpcService service = new InferenceGrpcService(registry, executor, admission, bodyMemory, metrics,
                availability, limits, name, version);
        GrpcMessageGate gate = new GrpcMessageGate(GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName(),
                limits.effectiveMaxConcurrentRequests() + limits.effectiveSmallRequestPlaces(), limits.admissionWait(),
                limits.deadline(), limits.retryAfterSeconds(), () -> metrics.rejected(Rejection.OVERLOADED, InferenceGrpcService.PROTOCOL));
        return new GrpcServer(properties, service, gate,
                status -> metrics.rejected(status.getCode() == Status.Code.RESOURCE_EXHAUSTED
                        ? Rejection.PAYLOAD_TOO_LARGE : Rejection.INVALID_REQUEST, InferenceGrpcService.PROTOCOL),
                availability, limits.maxBodySize().toBytes(), limits.maxElements(), shutdownTimeout);
    }
}
