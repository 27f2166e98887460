package lossservice.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * The connection settings of application.properties reach Tomcat's connector (a property Spring Boot does not know
 * is silently ignored): the timeouts that close idle and silent connections, the connection limits, 100 Continue
 * only on read, no swallowing, responses over 1 KiB compressed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConnectionDefaultsTests {

    @Autowired
    WebServerApplicationContext context;

    @Test
    void theDocumentedConnectionDefaultsAreTomcats() {
        Connector connector = ((TomcatWebServer) context.getWebServer()).getTomcat().getConnector();
        AbstractHttp11Protocol<?> protocol = (AbstractHttp11Protocol<?>) connector.getProtocolHandler();

        assertThat(protocol.getConnectionTimeout()).isEqualTo(5_000);
        assertThat(protocol.getKeepAliveTimeout()).isEqualTo(5_000);
        assertThat(protocol.getMaxKeepAliveRequests()).isEqualTo(1_000);
        assertThat(protocol.getMaxConnections()).isEqualTo(10_000);
        assertThat(protocol.getAcceptCount()).isEqualTo(100);
        assertThat(protocol.getMaxSwallowSize()).isZero();
        assertThat(protocol.getContinueResponseTiming()).isEqualTo("onRead");
        assertThat(protocol.getCompression()).isEqualTo("on");
        assertThat(protocol.getCompressionMinSize()).isEqualTo(1024);
        assertThat(protocol.getCompressibleMimeTypes())
                .contains("application/json", "application/problem+json", "application/octet-stream");
    }
}
