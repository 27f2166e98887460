package lossservice.hostile;

import static lossservice.ProblemAssertions.assertNoInternals;
import static lossservice.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import lossservice.ProblemAssertions;
import lossservice.RawHttp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import tools.jackson.databind.JsonNode;

/**
 * Compressed request bodies on every endpoint, counted after inflation, and compressed responses. A compression
 * bomb (a small gzip body that inflates far past the body size limit) is answered 413 as soon as what it inflates to
 * passes the limit: its first kilobytes are enough, the rest is never needed, let alone inflated.
 */
class ContentEncodingHttpTests extends HostileClientsApplicationTests {

    // ---- accepted codings ------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "x-gzip", "deflate", "raw-deflate", "identity"})
    void compressedBodiesAreAcceptedOnTheJsonEndpoints(String coding) throws Exception {
        HttpResponse<String> ce = postEncoded(CE, crossEntropy(20, 10), coding);
        assertThat(ce.statusCode()).as(ce.body()).isEqualTo(200);
        assertThat(ce.body()).contains("\"batchSize\":20");

        String bce = "{\"logits\": [[2.0, -1.0, 0.5]], \"targets\": [[1, 0, 1]]}";
        HttpResponse<String> binary = postEncoded(BCE, bce, coding);
        assertThat(binary.statusCode()).as(binary.body()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "deflate", "raw-deflate"})
    void compressedBodiesAreAcceptedOnTheInferenceProtocol(String coding) throws Exception {
        HttpResponse<String> response = postEncoded(INFER, infer(4, 5), coding);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"name\":\"loss\"");
    }

    @Test
    void aCompressedBodyTrickledInPiecesIsInflatedAsItArrives() throws Exception {
        byte[] body = gzip(crossEntropy(30, 10).getBytes(StandardCharsets.UTF_8));
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST " + CE + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
            for (int at = 0; at < body.length; at += 7) {
                http.chunk(Arrays.copyOfRange(body, at, Math.min(body.length, at + 7)));
            }
            http.send("0\r\n\r\n");
            RawHttp.Response response = http.read();
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).contains("\"batchSize\":30");
        }
    }

    // ---- refused codings and broken bodies --------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"br", "compress", "zstd", "gzip, gzip", "bogus"})
    void anotherCodingIs415ProblemOnV1(String coding) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(CE))
                .header("Content-Type", "application/json").header("Content-Encoding", coding)
                .POST(HttpRequest.BodyPublishers.ofString(VALID)).build(), HttpResponse.BodyHandlers.ofString());

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 415,
                "unsupported-media-type");
        assertThat(problem.path("detail").asString()).contains(coding, "gzip, deflate or identity");
        assertThat(problem.path("instance").asString()).isEqualTo(CE);
    }

    @Test
    void anotherCodingIs415ErrorOnV2() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(INFER))
                .header("Content-Type", "application/json").header("Content-Encoding", "br")
                .POST(HttpRequest.BodyPublishers.ofString(infer(2, 3))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(protocolError(response)).contains("\"br\"", "gzip, deflate or identity");
    }

    @Test
    void aBodyThatIsNotWhatItsCodingSaysIs400() throws Exception {
        byte[] truncated = Arrays.copyOf(gzip(VALID.getBytes(StandardCharsets.UTF_8)), 30);
        HttpResponse<String> v1 = HTTP.send(HttpRequest.newBuilder(uri(CE)).header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(truncated)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode problem = assertProblem(v1.statusCode(), contentType(v1), v1.body(), 400, "bad-request");
        assertThat(problem.path("detail").asString()).contains("gzip");

        HttpResponse<String> v2 = HTTP.send(HttpRequest.newBuilder(uri(INFER)).header("Content-Encoding", "deflate")
                .POST(HttpRequest.BodyPublishers.ofString("plainly not deflate")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(v2.statusCode()).isEqualTo(400);
        assertThat(protocolError(v2)).contains("could not be decoded");
    }

    // ---- compression bombs --------------------------------------------------------------------------------

    /** 64 MiB of blanks inside a JSON array, gzipped to about 64 KB: 64 times the 1 MB limit once inflated. */
    private static byte[] bomb() throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
            gzip.write("{\"logits\": [".getBytes(StandardCharsets.UTF_8));
            byte[] blanks = new byte[1 << 20];
            Arrays.fill(blanks, (byte) ' ');
            for (int i = 0; i < 64; i++) {
                gzip.write(blanks);
            }
            gzip.write("]}".getBytes(StandardCharsets.UTF_8));
        }
        return compressed.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {CE, INFER})
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aGzipBombIsCutOffAtTheLimitFromItsFirstKilobytes(String path) throws Exception {
        byte[] bomb = bomb();
        assertThat(bomb.length).isLessThan(200_000);
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n");
            // Only the first 8 KB (they inflate to more than the 1 MB limit); the body never ends. An answer can
            // only come from inflating what arrived and stopping at the limit.
            http.chunk(Arrays.copyOf(bomb, 8_192));
            RawHttp.Response response = http.timeout(10_000).read();

            assertThat(response.status()).as(response.body()).isEqualTo(413);
            assertNoInternals(response.body());
            assertThat(response.body()).contains("1048576");
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(http.closedByServer(2_000)).isTrue();
        }
    }

    @Test
    void aWholeGzipBombWithItsLengthIs413() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(CE)).header("Content-Type",
                "application/json").header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bomb())).build(), HttpResponse.BodyHandlers.ofString());

        JsonNode problem = assertProblem(response.statusCode(), contentType(response), response.body(), 413,
                "payload-too-large");
        assertThat(problem.path("detail").asString()).contains("1048576", "decoding");
        // The service is fine afterwards.
        assertThat(post(CE, VALID).statusCode()).isEqualTo(200);
    }

    // ---- response compression -----------------------------------------------------------------------------

    @Test
    void responsesOver1KiBAreGzippedForClientsThatAcceptGzip() throws Exception {
        String request = crossEntropy(30, 10).replace("}", ", \"include\": [\"probabilities\"]}");
        HttpResponse<byte[]> gzipped = HTTP.send(HttpRequest.newBuilder(uri(CE))
                .header("Content-Type", "application/json").header("Accept-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(gzipped.statusCode()).isEqualTo(200);
        assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        String inflated = new String(gunzip(gzipped.body()), StandardCharsets.UTF_8);
        assertThat(inflated.length()).isGreaterThan(1024);
        JsonNode json = ProblemAssertions.JSON.readTree(inflated);
        assertThat(json.path("probabilities").size()).isEqualTo(30);

        HttpResponse<String> plain = post(CE, request);
        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(plain.body()).isEqualTo(inflated);
    }

    @Test
    void binaryInferenceResponsesAreGzippedToo() throws Exception {
        String json = infer(30, 10);
        String request = json.substring(0, json.length() - 1) + ", \"parameters\": {\"binary_data_output\": true}}";
        HttpResponse<byte[]> gzipped = HTTP.send(HttpRequest.newBuilder(uri(INFER))
                .header("Content-Type", "application/json").header("Accept-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(gzipped.statusCode()).isEqualTo(200);
        assertThat(gzipped.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        int headerLength = Integer.parseInt(gzipped.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        byte[] inflated = gunzip(gzipped.body());
        assertThat(new String(inflated, 0, headerLength, StandardCharsets.UTF_8)).contains("\"binary_data_size\"");
    }

    @Test
    void smallResponsesAreNotCompressed() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri("/actuator/health"))
                .header("Accept-Encoding", "gzip").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private HttpResponse<String> postEncoded(String path, String body, String coding) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20));
        byte[] sent = switch (coding) {
            case "gzip", "x-gzip" -> gzip(bytes);
            case "deflate" -> deflate(bytes, false);
            case "raw-deflate" -> deflate(bytes, true);
            default -> bytes;
        };
        request.header("Content-Encoding", coding.equals("raw-deflate") ? "deflate" : coding);
        return HTTP.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(sent)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] bytes, boolean raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, raw))) {
            deflate.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] bytes) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }

    private static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }

    private static String protocolError(HttpResponse<String> response) {
        assertThat(contentType(response)).startsWith("application/json");
        assertNoInternals(response.body());
        JsonNode error = ProblemAssertions.JSON.readTree(response.body());
        assertThat(error.propertyNames()).containsExactly("error");
        return error.path("error").asString();
    }
}
