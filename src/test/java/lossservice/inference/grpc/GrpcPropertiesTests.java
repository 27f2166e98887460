package lossservice.inference.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

class GrpcPropertiesTests {

    private static GrpcProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("loss.grpc",
                GrpcProperties.class);
    }

    @Test
    void theFlowControlWindowIsOneMibibyteUnlessConfigured() {
        assertThat(bind(Map.of()).flowControlWindow()).isEqualTo(DataSize.ofMegabytes(1));
        assertThat(bind(Map.of("loss.grpc.flow-control-window", "512KB")).flowControlWindow())
                .isEqualTo(DataSize.ofKilobytes(512));
    }

    @Test
    void aWindowBelowHttp2sInitialOneIsRefusedAtStartup() {
        assertThatThrownBy(() -> bind(Map.of("loss.grpc.flow-control-window", "1KB"))).isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("loss.grpc.flow-control-window must be from 64KB");
    }
}
