package lossservice.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import lossservice.LossServiceApplication;
import lossservice.limits.GatedComputePool;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;


/**
 * Shutdown in process (the context closing, as SIGTERM does): a computation in flight is answered, new
 * connections are refused meanwhile. {@link ShutdownProcessTests} does the same to a real process.
 */
class GracefulShutdownTests {

    private static final String VALID = "{\"logits\": [[0.5, 1.5, -1.0], [2.0, 0.0, 1.0]], \"targets\": [2, 0]}";

    @Test
    void theRequestInFlightCompletesAndNewConnectionsAreRefused() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(LossServiceApplication.class,
                GatedComputePool.Config.class)
                .properties("server.port=0", "server.address=127.0.0.1", "spring.jmx.enabled=false")
                .run();
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        GatedComputePool pool = context.getBean(GatedComputePool.class);
        HttpClient http = HttpClient.newHttpClient();
        try {
            pool.close();
            CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/losses/cross-entropy"))
                            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofString(VALID)).build(),
                    HttpResponse.BodyHandlers.ofString());
            pool.awaitHeld(1, Duration.ofSeconds(20));

            CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
            awaitConnectionsRefused(port, Duration.ofSeconds(20));
            assertThat(closing).isNotDone(); // still waiting for the request in flight

            pool.open();
            HttpResponse<String> answered = inFlight.get();
            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(answered.body()).contains("\"batchSize\":2");
            closing.get();
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        } finally {
            pool.open();
            context.close();
        }

    }

    private static void awaitConnectionsRefused(int port, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                Thread.sleep(20);
            } catch (IOException e) {
                return;
            }
        }
        throw new AssertionError("new connections were still accepted after " + timeout);
    }
}
