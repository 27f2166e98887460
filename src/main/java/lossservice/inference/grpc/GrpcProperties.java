package lossservice.inference.grpc;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The Open Inference Protocol over gRPC ({@code loss.grpc.*}).
 *
 * @param enabled  whether the gRPC server runs
 * @param port     its port, beside the HTTP one (0 picks a free one)
 * @param address  the address it binds, or empty for every interface
 * @param threads  the threads that serve the inference calls that may wait (for a place behind the same admission
 *                 as HTTP, for a compute worker): all but the small ones that find both free at once, which the
 *                 transport's event loops serve whole
 * @param flowControlWindow the HTTP/2 flow-control window of each call and connection: what a client may send
 *                 before the service reads it, held in the JVM's direct memory meanwhile. Smaller bounds that memory
 *                 when many clients send large messages at once; larger lets a large message arrive in fewer
 *                 round trips
 * @param maxMetadataSize the most request metadata (headers) a call may carry, counted as HTTP/2 counts a header
 *                 list; a call with more ends RESOURCE_EXHAUSTED
 */
@ConfigurationProperties("loss.grpc")
public record GrpcProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("8081") int port,
        @DefaultValue("") String address,
        @DefaultValue("16") int threads,
        @DefaultValue("1MB") DataSize flowControlWindow,
        @DefaultValue("16KB") DataSize maxMetadataSize) {

    public GrpcProperties {
        if (flowControlWindow.toBytes() < 65_535 || flowControlWindow.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("loss.grpc.flow-control-window must be from 64KB (HTTP/2's initial"
                    + " window, 65,535 bytes) to 2GB, found " + flowControlWindow);
        }
        if (maxMetadataSize.toBytes() < 1024 || maxMetadataSize.toBytes() > 1024 * 1024) {
            throw new IllegalArgumentException("loss.grpc.max-metadata-size must be from 1KB to 1MB, found "
                    + maxMetadataSize);
        }
    }
}
