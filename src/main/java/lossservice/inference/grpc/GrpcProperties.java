package lossservice.inference.grpc;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The Open Inference Protocol over gRPC ({@code loss.grpc.*}).
 *
 * @param enabled  whether the gRPC server runs
 * @param port     its port, beside the HTTP one (0 picks a free one)
 * @param address  the address it binds, or empty for every interface
 * @param threads  the threads that take calls off the network and decode them; the computations themselves run on
 *                 the compute pool, behind the same admission as HTTP
 */
@ConfigurationProperties("loss.grpc")
public record GrpcProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("8081") int port,
        @DefaultValue("") String address,
        @DefaultValue("16") int threads) {
}
