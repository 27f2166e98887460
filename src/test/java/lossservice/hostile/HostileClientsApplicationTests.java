package lossservice.hostile;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import lossservice.limits.GatedComputePool;

import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * The whole application on a random port, attacked over real sockets as a hostile client would. The limits are
 * small so that every attack is cheap and fast: 1 MB bodies, a 4 s deadline, Tomcat's read and keep-alive timeouts
 * of 2 s, 400 connections (and 100 more in the accept queue); 2 places plus 1 for small requests (at most 512 bytes), 4 MB of body memory. Computations
 * run on a 4-thread pool whose gate tests can close. Test classes that extend it share one application context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "loss.limits.max-body-size=1MB",
        "loss.limits.max-concurrent-requests=2",
        "loss.limits.small-request-places=1",
        "loss.limits.small-request-size=512B",
        "loss.limits.admission-wait=1s",
        "loss.limits.retry-after=2s",
        "loss.limits.deadline=4s",
        "loss.limits.max-buffered-bytes=4MB",
        "server.tomcat.connection-timeout=2s",
        "server.tomcat.keep-alive-timeout=2s",
        "server.tomcat.max-connections=400",
        "server.tomcat.accept-count=100"})
@Import(HostileComputePool.class)
abstract class HostileClientsApplicationTests {

    static final String CE = "/v1/losses/cross-entropy";
    static final String BCE = "/v1/losses/binary-cross-entropy";
    static final String INFER = "/v2/models/cross-entropy/infer";
    /** 70 bytes: a small request. */
    static final String VALID = "{\"logits\": [[0.5, 1.5, -1.0], [2.0, 0.0, 1.0]], \"targets\": [2, 0]}";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @LocalServerPort
    int port;

    @Autowired
    GatedComputePool pool;

    @AfterEach
    void openTheGate() {
        pool.open();
    }

    /** A valid cross-entropy request of N x C logits (about 10 N C bytes: large from N C = 60 on). */
    static String crossEntropy(int n, int c) {
        String row = IntStream.range(0, c).mapToObj(j -> Double.toString((j % 7) * 0.25))
                .collect(Collectors.joining(",", "[", "]"));
        String logits = IntStream.range(0, n).mapToObj(i -> row).collect(Collectors.joining(",", "[", "]"));
        String targets = IntStream.range(0, n).mapToObj(i -> Integer.toString(i % c))
                .collect(Collectors.joining(",", "[", "]"));
        return "{\"logits\": " + logits + ", \"targets\": " + targets + "}";
    }

    /** A V2 JSON request with FP32 logits [N, C] and INT64 targets. */
    static String infer(int n, int c) {
        String logits = IntStream.range(0, n * c).mapToObj(j -> Double.toString((j % 7) * 0.25))
                .collect(Collectors.joining(",", "[", "]"));
        String targets = IntStream.range(0, n).mapToObj(i -> Integer.toString(i % c))
                .collect(Collectors.joining(",", "[", "]"));
        return "{\"inputs\": [{\"name\": \"logits\", \"datatype\": \"FP32\", \"shape\": [" + n + ", " + c + "], \"data\": "
                + logits + "}, {\"name\": \"targets\", \"datatype\": \"INT64\", \"shape\": [" + n + "], \"data\": "
                + targets + "}]}";
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
