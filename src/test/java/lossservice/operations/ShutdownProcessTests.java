package lossservice.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import lossservice.LossServiceApplication;
import lossservice.ProblemAssertions;
import lossservice.RawHttp;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The service as a process, stopped with SIGTERM while a request is in flight (its body half sent): the request
 * is answered, new connections are refused meanwhile, the process exits. It runs with
 * {@code logging.structured.format.console=ecs}, and every line it logs must be a JSON object.
 */
class ShutdownProcessTests {

    private static final String BODY = "{\"logits\": [[0.5, 1.5, -1.0], [2.0, 0.0, 1.0]], \"targets\": [2, 0]}";

    @Test
    void sigtermLetsTheRequestInFlightFinishAndRefusesNewConnections() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LossServiceApplication.class.getName(),
                "--server.port=" + port, "--server.address=127.0.0.1", "--logging.structured.format.console=ecs",
                "--loss.backend=cpu")
                .redirectErrorStream(true).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        });
        reader.start();
        try {
            awaitReady(port, process);
            byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
            try (RawHttp inFlight = new RawHttp(port)) {
                inFlight.send("POST /v1/losses/cross-entropy HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n");
                inFlight.send(java.util.Arrays.copyOf(body, 20));
                Thread.sleep(500); // the request is being read

                process.destroy(); // SIGTERM
                awaitConnectionsRefused(port, process);
                assertThat(process.isAlive()).as("waits for the request in flight").isTrue();

                inFlight.send(java.util.Arrays.copyOfRange(body, 20, body.length));
                RawHttp.Response response = inFlight.read();
                assertThat(response.status()).as(response.body()).isEqualTo(200);
                assertThat(response.body()).contains("\"batchSize\":2");
            }
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the process exits").isTrue();
            reader.join(10_000);
        } finally {
            process.destroyForcibly();
        }

        List<String> logged = lines.stream().filter(line -> !line.isBlank()).toList();
        assertThat(logged).isNotEmpty();
        for (String line : logged) {
            JsonNode entry = ProblemAssertions.JSON.readTree(line); // fails on a line that is not JSON
            assertThat(entry.path("@timestamp").asString()).as(line).isNotBlank();
            assertThat(entry.path("log").path("level").asString()).as(line).isNotBlank();
        }
        assertThat(logged).anySatisfy(line -> assertThat(line).contains("ND4J backend: cpu"));
    }

    private static void awaitReady(int port, Process process) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            assertThat(process.isAlive()).as("the service process started").isTrue();
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the service was not ready within 120 s");
    }

    private static void awaitConnectionsRefused(int port, Process process) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                Thread.sleep(20);
            } catch (IOException e) {
                return;
            }
        }
        throw new AssertionError("new connections were still accepted 20 s after SIGTERM");
    }
}
