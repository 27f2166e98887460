package lossservice.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.apache.catalina.connector.ClientAbortException;
import org.junit.jupiter.api.Test;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;

import tools.jackson.core.exc.JacksonIOException;

/** Which failures are a client that went away while its answer was written, and which are the service's own. */
class ClientDisconnectsTests {

    @Test
    void aWriteThatFailedBecauseTheClientClosedTheConnectionIsAClientGone() {
        assertThat(ClientDisconnects.isClientGone(JacksonIOException.construct(
                new IOException("ServletOutputStream failed to write: java.io.IOException: Broken pipe")))).isTrue();
        assertThat(ClientDisconnects.isClientGone(JacksonIOException.construct(
                new IOException(new IOException("Connection reset by peer"))))).isTrue();
        assertThat(ClientDisconnects.isClientGone(new ClientAbortException(new IOException("Broken pipe")))).isTrue();
        assertThat(ClientDisconnects.isClientGone(
                new AsyncRequestNotUsableException("Response not usable after response errors."))).isTrue();
    }

    @Test
    void theServicesOwnFailuresAreNot() {
        assertThat(ClientDisconnects.isClientGone(new IllegalStateException("a bug"))).isFalse();
        assertThat(ClientDisconnects.isClientGone(new IllegalStateException(new ArithmeticException("/ by zero"))))
                .isFalse();
        assertThat(ClientDisconnects.isClientGone(new IOException("No space left on device"))).isFalse();
    }
}
