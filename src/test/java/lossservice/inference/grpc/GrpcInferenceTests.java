package lossservice.inference.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

import com.google.protobuf.ByteString;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import lossservice.grpc.v2.GRPCInferenceServiceGrpc;
import lossservice.grpc.v2.InferParameter;
import lossservice.grpc.v2.InferTensorContents;
import lossservice.grpc.v2.ModelInferRequest;
import lossservice.grpc.v2.ModelInferResponse;
import lossservice.grpc.v2.ModelMetadataRequest;
import lossservice.grpc.v2.ModelMetadataResponse;
import lossservice.grpc.v2.ModelReadyRequest;
import lossservice.grpc.v2.ServerLiveRequest;
import lossservice.grpc.v2.ServerMetadataRequest;
import lossservice.grpc.v2.ServerReadyRequest;

/**
 * The gRPC form of the Open Inference Protocol through stubs generated from the standard proto: health, metadata,
 * readiness, reflection, the five parameter kinds, every violation in INVALID_ARGUMENT (and a message that is not
 * protobuf), NOT_FOUND, a message over the
 * 64 MiB body limit, UNAVAILABLE while not ready, and the metrics of the protocol.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class GrpcInferenceTests {

    @Autowired
    GrpcServer server;

    @Autowired
    ApplicationContext context;

    @LocalServerPort
    int httpPort;

    /** The gRPC calls refused as invalid, in the Prometheus exposition. */
    private static final String INVALID_REQUESTS =
            "loss_rejections_total\\{protocol=\"grpc\",reason=\"invalid_request\"}";

    private ManagedChannel channel;
    private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;

    @BeforeAll
    void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .maxInboundMessageSize(128 << 20).build();
        stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    @AfterAll
    void disconnect() {
        channel.shutdownNow();
    }

    @Test
    void theServerIsLiveReadyAndSaysWhatItIs() {
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
        var metadata = stub.serverMetadata(ServerMetadataRequest.getDefaultInstance());
        assertThat(metadata.getName()).isEqualTo("loss-service");
        assertThat(metadata.getVersion()).isNotBlank().doesNotContain("@");
        assertThat(metadata.getExtensionsList()).as("the repository extension is served over HTTP only").isEmpty();
    }

    @Test
    void everyLossIsAReadyModelWithItsTensors() {
        for (String model : List.of("cross-entropy", "binary-cross-entropy", "nll", "kl-divergence", "focal",
                "sigmoid-focal")) {
            assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName(model).build()).getReady()).as(model)
                    .isTrue();
        }
        ModelMetadataResponse metadata = stub.modelMetadata(ModelMetadataRequest.newBuilder()
                .setName("cross-entropy").setVersion("1").build());
        assertThat(metadata.getVersionsList()).containsExactly("1");
        assertThat(metadata.getInputsList()).extracting(tensor -> tensor.getName() + " " + tensor.getDatatype() + " "
                + tensor.getShapeList()).containsExactly("logits FP32 [-1, -1]", "targets INT64 [-1]",
                "class_weights FP32 [-1]");
        assertThat(metadata.getOutputsList()).extracting(ModelMetadataResponse.TensorMetadata::getName)
                .containsExactly("loss", "smoothed_targets", "per_sample_loss", "probabilities", "gradient");
    }

    @Test
    void anUnknownModelOrVersionIsNotFound() {
        assertStatus(() -> stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("resnet50").build()),
                Status.Code.NOT_FOUND, "Unknown model");
        assertStatus(() -> stub.modelReady(ModelReadyRequest.newBuilder().setName("nll").setVersion("7").build()),
                Status.Code.NOT_FOUND, "no version");
        assertStatus(() -> stub.modelInfer(seed("hinge").build()), Status.Code.NOT_FOUND, "Unknown model");
    }

    @Test
    void everyParameterKindIsRead() {
        // epsilon as Triton's double_param, ignore_index as int64, label_smooth as bool, reduction as string,
        // num_classes as uint64, and a number in a string_param.
        ModelInferResponse response = stub.modelInfer(seed("cross-entropy")
                .putParameters("epsilon", InferParameter.newBuilder().setStringParam("0.2").build())
                .putParameters("ignore_index", InferParameter.newBuilder().setInt64Param(-1).build())
                .putParameters("label_smooth", InferParameter.newBuilder().setBoolParam(true).build())
                .putParameters("reduction", InferParameter.newBuilder().setStringParam("sum").build())
                .putParameters("num_classes", InferParameter.newBuilder().setUint64Param(3).build())
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("loss"))
                .build());
        float withStrings = response.getOutputs(0).getContents().getFp32Contents(0);

        ModelInferResponse same = stub.modelInfer(seed("cross-entropy")
                .putParameters("epsilon", InferParameter.newBuilder().setDoubleParam(0.2).build())
                .putParameters("reduction", InferParameter.newBuilder().setStringParam("sum").build())
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("loss"))
                .build());
        assertThat(same.getOutputs(0).getContents().getFp32Contents(0)).isEqualTo(withStrings);
        // sum of two rows, each -(0.8 log p_y + 0.2/3 sum log p): well above one row's loss
        assertThat(withStrings).isGreaterThan(1.0f);
    }

    @Test
    void aNumberInAStringParameterIsWrittenAsJsonWritesOne() {
        for (String number : List.of("0.1", "0", "1e-1", "1E-1", "0.25e0", "-0")) {
            assertThat(stub.modelInfer(seed("cross-entropy").putParameters("epsilon",
                    InferParameter.newBuilder().setStringParam(number).build()).build()).getOutputsCount()).as(number)
                    .isPositive();
        }
        for (String text : List.of(" 0.1", "0.1 ", "+0.1", ".1", "1.", "00.1", "0x1", "1e", "")) {
            assertStatus(() -> stub.modelInfer(seed("cross-entropy").putParameters("epsilon",
                    InferParameter.newBuilder().setStringParam(text).build()).build()), Status.Code.INVALID_ARGUMENT,
                    "epsilon");
        }
        assertStatus(() -> stub.modelInfer(seed("cross-entropy").putParameters("ignore_index",
                InferParameter.newBuilder().setStringParam("01").build()).build()), Status.Code.INVALID_ARGUMENT,
                "ignore_index");
    }

    @Test
    void parametersOfInputsAndOutputsAreJudgedAsOverHttp() {
        ModelInferRequest.Builder request = seed("cross-entropy");
        request.setInputs(0, request.getInputs(0).toBuilder()
                .putParameters("foo", InferParameter.newBuilder().setBoolParam(true).build())
                .putParameters("shared_memory_region", InferParameter.newBuilder().setStringParam("r").build()));
        request.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("loss")
                .putParameters("classification", InferParameter.newBuilder().setInt64Param(2).build()));
        request.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("gradient")
                .putParameters("binary_data", InferParameter.newBuilder().setInt64Param(1).build())
                .putParameters("bar", InferParameter.newBuilder().setInt64Param(1).build()));
        StatusRuntimeException e = assertStatus(() -> stub.modelInfer(request.build()), Status.Code.INVALID_ARGUMENT,
                "The request breaks 5 rules");
        assertThat(e.getStatus().getDescription()).contains(
                "/inputs/0/parameters/foo: unknown parameter",
                "/inputs/0/parameters/shared_memory_region: shared memory is not supported",
                "/outputs/0/parameters/classification: the classification extension is not supported",
                "/outputs/1/parameters/binary_data: expected a boolean, found the integer 1",
                "/outputs/1/parameters/bar: unknown parameter; an output's parameter is binary_data");

        ModelInferResponse answered = stub.modelInfer(seed("cross-entropy")
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("loss")
                        .putParameters("binary_data", InferParameter.newBuilder().setBoolParam(true).build()))
                .build());
        assertThat(answered.getOutputs(0).getName()).isEqualTo("loss");
    }

    @Test
    void typedContentsInASecondFieldAreInvalidArgument() {
        ModelInferRequest.Builder request = seed("cross-entropy");
        request.setInputs(1, request.getInputs(1).toBuilder().setContents(request.getInputs(1).getContents()
                .toBuilder().addIntContents(7).addIntContents(7)));
        assertStatus(() -> stub.modelInfer(request.build()), Status.Code.INVALID_ARGUMENT,
                "input \"targets\" (INT64) also has int_contents: give its contents in one field, the datatype's.");
        ModelInferRequest.Builder logits = seed("cross-entropy");
        logits.setInputs(0, logits.getInputs(0).toBuilder().setContents(logits.getInputs(0).getContents()
                .toBuilder().addFp64Contents(1).addBytesContents(ByteString.copyFromUtf8("x"))));
        assertStatus(() -> stub.modelInfer(logits.build()), Status.Code.INVALID_ARGUMENT,
                "also has fp64_contents and bytes_contents");
    }

    @Test
    void largeRawContentsAreReadWhereTheyAreInTheMessageAsTypedOnesAreRead() {
        // 63 x 1001 float32 logits (252 KB: a message read into an array of its own, whose raw contents the tensors
        // share at odd offsets, an odd element count) and raw int64 targets after them.
        int rows = 63;
        int classes = 1001;
        java.util.Random random = new java.util.Random(5);
        float[] logits = new float[rows * classes];
        ByteBuffer raw = ByteBuffer.allocate(logits.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) random.nextGaussian() * 3;
            raw.putFloat(logits[i]);
        }
        long[] targets = new long[rows];
        ByteBuffer rawTargets = ByteBuffer.allocate(rows * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows; i++) {
            targets[i] = random.nextInt(classes);
            rawTargets.putLong(targets[i]);
        }
        ModelInferRequest.InferRequestedOutputTensor gradient = ModelInferRequest.InferRequestedOutputTensor
                .newBuilder().setName("gradient").build();
        ModelInferResponse fromRaw = stub.modelInfer(ModelInferRequest.newBuilder().setModelName("cross-entropy")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("logits").setDatatype("FP32")
                        .addShape(rows).addShape(classes))
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("targets").setDatatype("INT64")
                        .addShape(rows))
                .addRawInputContents(ByteString.copyFrom(raw.array()))
                .addRawInputContents(ByteString.copyFrom(rawTargets.array()))
                .addOutputs(gradient).build());
        ModelInferResponse fromTyped = stub.modelInfer(ModelInferRequest.newBuilder().setModelName("cross-entropy")
                .addInputs(tensor("logits", "FP32", new long[] {rows, classes}, logits))
                .addInputs(int64("targets", targets))
                .addOutputs(gradient).build());

        assertThat(fromRaw.getRawOutputContentsList()).hasSize(1);
        ByteString gradientBytes = fromRaw.getRawOutputContents(0);
        assertThat(gradientBytes.size()).isEqualTo(logits.length * 4);
        // Typed contents in, typed contents out: the same numbers to the bit.
        List<Float> typed = fromTyped.getOutputs(0).getContents().getFp32ContentsList();
        FloatBuffer values = gradientBytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        assertThat(typed).hasSize(logits.length);
        for (int i = 0; i < logits.length; i++) {
            assertThat(Float.floatToRawIntBits(values.get(i))).as("element %d", i)
                    .isEqualTo(Float.floatToRawIntBits(typed.get(i)));
        }
        // Each row of a cross-entropy gradient (mean over the rows) sums to 0 and has one negative element at most
        // below -1/rows: the numbers are those of these logits, not of other bytes of the message.
        for (int row = 0; row < rows; row++) {
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += values.get(row * classes + c);
            }
            assertThat(sum).as("row %d", row).isCloseTo(0, within(1e-5));
            assertThat(values.get(row * classes + (int) targets[row])).isNegative();
        }

        // A non-finite number in the middle and as the last element is found at its place in the message.
        for (int at : new int[] {rows / 2 * classes + 7, logits.length - 1}) {
            ByteBuffer flawed = ByteBuffer.wrap(raw.array().clone()).order(ByteOrder.LITTLE_ENDIAN);
            flawed.putFloat(at * 4, Float.POSITIVE_INFINITY);
            assertStatus(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("cross-entropy")
                    .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("logits").setDatatype("FP32")
                            .addShape(rows).addShape(classes))
                    .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("targets").setDatatype("INT64")
                            .addShape(rows))
                    .addRawInputContents(ByteString.copyFrom(flawed.array()))
                    .addRawInputContents(ByteString.copyFrom(rawTargets.array())).build()),
                    Status.Code.INVALID_ARGUMENT, "logits[" + at / classes + "][" + at % classes + "]");
        }
    }

    @Test
    void anInvalidRequestIsInvalidArgumentWithEveryViolation() {
        ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("cross-entropy")
                .addInputs(tensor("logits", "FP32", new long[] {2, 3}, 1, 2, 3, 4, 5, 6))
                .addInputs(int64("targets", 0, 7))
                .putParameters("epsilon", InferParameter.newBuilder().setDoubleParam(1.5).build())
                .putParameters("temperature", InferParameter.newBuilder().setDoubleParam(2).build())
                .build();

        StatusRuntimeException e = assertStatus(() -> stub.modelInfer(request), Status.Code.INVALID_ARGUMENT,
                "The request breaks 3 rules");
        assertThat(e.getStatus().getDescription()).contains("input targets[1]: class index 7",
                "parameter epsilon: must be in [0, 1]", "/parameters/temperature: unknown parameter");
    }

    @Test
    void aStatusMessageStaysWithinWhatClientsAcceptInTrailers() {
        // gRPC clients refuse trailers over 8 KiB (grpc-java's and gRPC C-core's default): a status message longer
        // than that reaches them as RESOURCE_EXHAUSTED of their own. 300 class indices out of range break 300 rules.
        long[] targets = new long[300];
        java.util.Arrays.fill(targets, 5);
        float[] logits = new float[600];
        ModelInferRequest manyViolations = ModelInferRequest.newBuilder().setModelName("cross-entropy")
                .addInputs(tensor("logits", "FP32", new long[] {300, 2}, logits)).addInputs(int64("targets", targets))
                .build();
        StatusRuntimeException e = assertStatus(() -> stub.modelInfer(manyViolations), Status.Code.INVALID_ARGUMENT,
                "The request breaks 300 rules: input targets[0]: class index 5");
        assertThat(e.getStatus().getDescription()).hasSizeLessThan(4_096).endsWith(" more.");

        String longName = "m".repeat(100_000);
        e = assertStatus(() -> stub.modelInfer(seed(longName).build()), Status.Code.NOT_FOUND, "Unknown model \"mmm");
        assertThat(trailerBytes(e.getStatus().getDescription())).isLessThanOrEqualTo(4_096);
        e = assertStatus(() -> stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("\u00e9".repeat(20_000))
                .build()), Status.Code.NOT_FOUND, "Unknown model \"\u00e9");
        assertThat(trailerBytes(e.getStatus().getDescription())).isBetween(3_000, 4_096);
        assertThat(e.getStatus().getDescription()).endsWith(" more characters)");
    }

    /** The bytes of a status message in its trailer: UTF-8, percent-encoded but printable ASCII (PROTOCOL-HTTP2). */
    private static int trailerBytes(String description) {
        int bytes = 0;
        for (byte b : description.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            bytes += b >= ' ' && b < '~' && b != '%' ? 1 : 3;
        }
        return bytes;
    }

    @Test
    void metadataOverTheLimitIsResourceExhaustedForThatCallOnly() {
        for (int size : new int[] {17_000, 40_000, 300_000}) {
            io.grpc.Metadata big = new io.grpc.Metadata();
            big.put(io.grpc.Metadata.Key.of("x-big", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "b".repeat(size));
            var withBigMetadata = stub.withInterceptors(
                    io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(big));
            StatusRuntimeException e = assertStatus(() -> withBigMetadata.modelInfer(seed("cross-entropy").build()),
                    Status.Code.RESOURCE_EXHAUSTED, "The request's metadata takes ");
            Matcher taken = Pattern.compile("takes (\\d+) bytes").matcher(e.getStatus().getDescription());
            assertThat(taken.find()).isTrue();
            // x-big's name and value and 32 bytes, and the client's own headers (user-agent, grpc-accept-encoding..)
            assertThat(Long.parseLong(taken.group(1))).isBetween(size + 5L + 32, size + 5L + 32 + 1_000);
            assertStatus(() -> withBigMetadata.serverLive(ServerLiveRequest.getDefaultInstance()),
                    Status.Code.RESOURCE_EXHAUSTED, "the limit is 16384 bytes");
            assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive())
                    .as("the connection goes on").isTrue();
        }
        io.grpc.Metadata fits = new io.grpc.Metadata();
        fits.put(io.grpc.Metadata.Key.of("x-fits", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "f".repeat(15_000));
        assertThat(stub.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(fits))
                .modelInfer(seed("cross-entropy").build()).getOutputsCount()).isPositive();
    }

    @Test
    void aConnectionHasAtMost100CallsAtOnceAndOneThatFloodsResetsIsClosed() throws Exception {
        try (RawHttp2 connection = new RawHttp2(server.port())) {
            assertThat(connection.serverSettings().get(RawHttp2.SETTINGS_MAX_CONCURRENT_STREAMS)).isEqualTo(100L);
        }
        // The "rapid reset" flood: calls opened and cancelled at once, as fast as the client can send them.
        try (RawHttp2 flood = new RawHttp2(server.port())) {
            flood.serverSettings();
            for (int i = 0; i < 1_200; i++) {
                int stream = 2 * i + 1;
                flood.openCall(stream, "/inference.GRPCInferenceService/ServerLive");
                flood.reset(stream);
            }
            flood.flush();
            assertThat(flood.closedByServer()).as("the server ends the connection (GOAWAY)").isTrue();
        }
        // A connection that cancels a few calls goes on.
        try (RawHttp2 polite = new RawHttp2(server.port())) {
            polite.serverSettings();
            for (int i = 0; i < 50; i++) {
                polite.openCall(2 * i + 1, "/inference.GRPCInferenceService/ServerLive");
                polite.reset(2 * i + 1);
            }
            polite.flush();
            assertThat(polite.closedByServer()).as("no GOAWAY within the timeout").isFalse();
        }
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    }

    @Test
    void brokenFramingIsInvalidArgument() throws Exception {
        byte[] message = seed("cross-entropy").build().toByteArray();
        // grpc-java's deframer ends each of these INTERNAL; the message prefix is a flags byte, then the length.
        Map<String, byte[]> brokenFraming = new LinkedHashMap<>();
        brokenFraming.put("reserved bits not zero", framed(0x02, message.length, message));
        brokenFraming.put("compression not configured", framed(0x01, message.length, message));
        brokenFraming.put("end-of-stream mid-frame", framed(0x00, message.length + 100, message));
        brokenFraming.put("end-of-stream mid-frame ", new byte[] {0, 0, 0}); // a prefix cut short
        double rejectedBefore = metric(INVALID_REQUESTS);
        try (RawHttp2 connection = new RawHttp2(server.port())) {
            connection.serverSettings();
            int stream = 1;
            for (Map.Entry<String, byte[]> broken : brokenFraming.entrySet()) {
                connection.openCall(stream, "/inference.GRPCInferenceService/ModelInfer");
                connection.lastData(stream, broken.getValue());
                connection.flush();
                Map<String, String> response = connection.response(stream);
                assertThat(response).as(broken.getKey()).containsEntry("grpc-status",
                        Integer.toString(Status.Code.INVALID_ARGUMENT.value()));
                assertThat(URLDecoder.decode(response.get("grpc-message"), StandardCharsets.UTF_8))
                        .startsWith("The call's gRPC framing is malformed: ").contains(broken.getKey().strip());
                stream += 2;
            }
            // The same connection, a call framed right.
            connection.openCall(stream, "/inference.GRPCInferenceService/ModelInfer");
            connection.lastData(stream, framed(0x00, message.length, message));
            connection.flush();
            assertThat(connection.response(stream)).containsEntry("grpc-status", "0");
        }
        assertThat(metric(INVALID_REQUESTS) - rejectedBefore).isEqualTo(brokenFraming.size());
    }

    @Test
    void headersGrpcJavaWouldEndInternalAreInvalidArgument() throws Exception {
        byte[] request = seed("cross-entropy").build().toByteArray();
        byte[] message = framed(0x00, request.length, request);
        double rejectedBefore = metric(INVALID_REQUESTS);
        String path = "/inference.GRPCInferenceService/ModelInfer";
        int refused = 0;
        try (RawHttp2 connection = new RawHttp2(server.port())) {
            connection.serverSettings();
            int stream = 1;
            // grpc-java resets the stream (INTERNAL_ERROR) on each of these before the call is made.
            for (String timeout : List.of("1x", "123456789S", "S", "-5S", "ten seconds")) {
                connection.openCall(stream, path, "grpc-timeout", timeout);
                connection.lastData(stream, message);
                connection.flush();
                Map<String, String> response = connection.response(stream);
                assertThat(response).as(timeout).containsEntry(":status", "200").containsEntry("grpc-status",
                        Integer.toString(Status.Code.INVALID_ARGUMENT.value()));
                assertThat(response.get("grpc-message")).startsWith("The grpc-timeout header is not a timeout");
                stream += 2;
                refused++;
            }
            // grpc-java answers these HTTP 415 and 405 with grpc-status INTERNAL (but reads a "+json" call's messages as
            // protobuf).
            record NotACall(String httpStatus, String method, String contentType) {
            }
            for (NotACall notCall : List.of(new NotACall("415", "POST", "application/json"),
                    new NotACall("415", "POST", null), new NotACall("415", "POST", "application/grpc+json"),
                    new NotACall("415", "POST", "application/grpcx"), new NotACall("405", "PUT", "application/grpc"))) {
                connection.openRequest(stream, notCall.method(), path, notCall.contentType());
                connection.lastData(stream, message);
                connection.flush();
                Map<String, String> response = connection.response(stream);
                assertThat(response).as(notCall.toString()).containsEntry(":status", notCall.httpStatus())
                        .containsEntry("grpc-status", Integer.toString(Status.Code.INVALID_ARGUMENT.value()));
                assertThat(response.get("grpc-message")).contains("is not supported");
                stream += 2;
                refused++;
            }
            // The same connection: calls with a timeout, without one, and with a content type of gRPC's form.
            for (String[] call : List.of(new String[] {"grpc-timeout", "10S"}, new String[0])) {
                connection.openCall(stream, path, call);
                connection.lastData(stream, message);
                connection.flush();
                assertThat(connection.response(stream)).as(String.join(" ", call)).containsEntry("grpc-status", "0");
                stream += 2;
            }
            for (String contentType : List.of("application/grpc+proto", "Application/GRPC; charset=utf-8",
                    "application/grpc+PROTO;x=y")) {
                connection.openRequest(stream, "POST", path, contentType);
                connection.lastData(stream, message);
                connection.flush();
                assertThat(connection.response(stream)).as(contentType).containsEntry("grpc-status", "0");
                stream += 2;
            }
        }
        assertThat(metric(INVALID_REQUESTS) - rejectedBefore).isEqualTo(refused);
    }

    private static byte[] framed(int flags, int length, byte[] message) {
        return java.nio.ByteBuffer.allocate(5 + message.length).put((byte) flags).putInt(length).put(message).array();
    }

    @Test
    void wrongDatatypesShapesAndContentsAreInvalidArgument() {
        assertStatus(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("nll")
                .addInputs(tensor("log_probabilities", "BYTES", new long[] {1, 2})).build()),
                Status.Code.INVALID_ARGUMENT, "not supported");
        assertStatus(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("nll")
                .addInputs(tensor("log_probabilities", "FP32", new long[] {1, 2}, 1)).build()),
                Status.Code.INVALID_ARGUMENT, "has 1 FP32 contents");
        assertStatus(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("nll")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("log_probabilities")
                        .setDatatype("FP32").addShape(1).addShape(2))
                .addRawInputContents(ByteString.copyFrom(new byte[7])).build()),
                Status.Code.INVALID_ARGUMENT, "raw_input_contents");
        // Raw contents for both inputs, and typed contents left in the logits.
        ModelInferRequest typedAndRaw = seed("cross-entropy").addRawInputContents(ByteString.copyFrom(new byte[24]))
                .addRawInputContents(ByteString.copyFrom(new byte[16])).build();
        assertStatus(() -> stub.modelInfer(typedAndRaw), Status.Code.INVALID_ARGUMENT,
                "inputs[0] (logits) has typed contents beside raw_input_contents");
    }

    @Test
    void tensorsOfShapeNothingAreInvalidArgumentForEveryModel() {
        for (String model : List.of("cross-entropy", "binary-cross-entropy", "nll", "kl-divergence", "focal",
                "sigmoid-focal")) {
            ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model);
            for (ModelMetadataResponse.TensorMetadata input : stub.modelMetadata(ModelMetadataRequest.newBuilder()
                    .setName(model).build()).getInputsList()) {
                request.addInputs(input.getDatatype().equals("INT64") ? int64(input.getName(), 0).toBuilder()
                        .clearShape().build() : tensor(input.getName(), input.getDatatype(), new long[0], 0.5f));
            }
            assertStatus(() -> stub.modelInfer(request.build()), Status.Code.INVALID_ARGUMENT,
                    "found a single number (shape [])");
        }
    }

    @Test
    void aMessageOverTheBodyLimitIsResourceExhaustedAndNotLogged(CapturedOutput output) {
        // 64 MiB + 1 of raw data: the transport refuses the message before the service reads it.
        ModelInferRequest request = seed("cross-entropy").addRawInputContents(ByteString.copyFrom(new byte[(64 << 20) + 1]))
                .build();

        assertStatus(() -> stub.modelInfer(request), Status.Code.RESOURCE_EXHAUSTED, "");
        // grpc-java logs a stack trace at WARN for each such message unless told not to: any client could fill the log.
        assertThat(output.getAll()).doesNotContain("Exception processing message").doesNotContain("exceeds maximum");
    }

    @Test
    void aMessageThatIsNotProtobufIsInvalidArgumentOnEveryService() throws Exception {
        double rejected = metric(INVALID_REQUESTS);
        byte[] valid = seed("cross-entropy").build().toByteArray();
        byte[] truncated = java.util.Arrays.copyOf(valid, valid.length - 3);
        byte[] badTag = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        // model_name (field 1, a proto3 string) holding bytes that are not UTF-8.
        byte[] notUtf8 = {0x0a, 0x02, (byte) 0xc3, (byte) 0x28};

        for (String method : List.of("inference.GRPCInferenceService/ModelInfer",
                "inference.GRPCInferenceService/ServerLive", "grpc.health.v1.Health/Check")) {
            for (byte[] message : List.of(truncated, badTag, notUtf8)) {
                if (message == notUtf8 && !method.endsWith("ModelInfer")) {
                    continue;
                }
                assertStatus(() -> rawCall(method, message), Status.Code.INVALID_ARGUMENT, "not well-formed protobuf");
            }
        }

        assertThat(metric(INVALID_REQUESTS))
                .isEqualTo(rejected + 7);
        assertThat(ModelInferResponse.parseFrom(rawCall("inference.GRPCInferenceService/ModelInfer", valid))
                .getOutputsCount()).isPositive();
    }

    @Test
    void aCompressedMessageOverTheBodyLimitOnceDecompressedIsResourceExhausted() throws Exception {
        double tooLarge = metric("loss_rejections_total\\{protocol=\"grpc\",reason=\"payload_too_large\"}");
        // 64 MiB + 1 of raw data, all zeros: about 64 KiB of gzip on the wire.
        byte[] large = seed("cross-entropy").addRawInputContents(ByteString.copyFrom(new byte[(64 << 20) + 1])).build()
                .toByteArray();

        assertStatus(() -> rawCall("inference.GRPCInferenceService/ModelInfer", large, "gzip"),
                Status.Code.RESOURCE_EXHAUSTED, "");
        assertThat(metric("loss_rejections_total\\{protocol=\"grpc\",reason=\"payload_too_large\"}"))
                .isEqualTo(tooLarge + 1);
        byte[] valid = seed("cross-entropy").build().toByteArray();
        assertThat(ModelInferResponse.parseFrom(rawCall("inference.GRPCInferenceService/ModelInfer", valid, "gzip"))
                .getOutputsCount()).isPositive();
    }

    @Test
    void aMessageFlaggedGzipThatIsNotGzipIsInvalidArgument() {
        // A client whose "gzip" sends the bytes as they are: the message is flagged compressed but is not gzip.
        io.grpc.CompressorRegistry liar = io.grpc.CompressorRegistry.newEmptyInstance();
        liar.register(new io.grpc.Compressor() {
            @Override
            public String getMessageEncoding() {
                return "gzip";
            }

            @Override
            public java.io.OutputStream compress(java.io.OutputStream os) {
                return os;
            }
        });
        ManagedChannel lying = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .compressorRegistry(liar).build();
        try {
            byte[] valid = seed("cross-entropy").build().toByteArray();
            StatusRuntimeException e = assertStatus(() -> ClientCalls.blockingUnaryCall(lying,
                    bytesMethod("inference.GRPCInferenceService/ModelInfer"),
                    CallOptions.DEFAULT.withCompression("gzip"), valid), Status.Code.INVALID_ARGUMENT,
                    "is not well-formed protobuf of the method's request type once decompressed");
            assertThat(e.getStatus().getDescription()).contains("GZIP");
        } finally {
            lying.shutdownNow();
        }
    }

    @Test
    void aMessageThatWouldTakeManyTimesItsSizeParsedIsResourceExhausted() {
        // 100,000 empty inputs: 200 KB of bytes, 100,000 objects once parsed.
        java.io.ByteArrayOutputStream inputs = new java.io.ByteArrayOutputStream();
        inputs.writeBytes(seed("cross-entropy").build().toByteArray());
        for (int i = 0; i < 100_000; i++) {
            inputs.write(5 << 3 | 2);
            inputs.write(0);
        }
        assertStatus(() -> rawCall("inference.GRPCInferenceService/ModelInfer", inputs.toByteArray()),
                Status.Code.RESOURCE_EXHAUSTED, "more than 65536 fields");
        // The other methods take a name or two: 100 KB is refused unread.
        assertStatus(() -> rawCall("inference.GRPCInferenceService/ModelMetadata", new byte[100_000]),
                Status.Code.RESOURCE_EXHAUSTED, "takes at most 65536 bytes");
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    }

    @Test
    void aUnaryCallWithTwoMessagesOrNoneIsInvalidArgument() throws Exception {
        byte[] valid = seed("cross-entropy").build().toByteArray();
        for (String method : List.of("inference.GRPCInferenceService/ModelInfer",
                "inference.GRPCInferenceService/ServerLive")) {
            assertThat(rawStatus(method, valid, valid).getCode()).as(method + ", two messages")
                    .isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(rawStatus(method).getCode()).as(method + ", no message").isEqualTo(Status.Code.INVALID_ARGUMENT);
        }
        assertThat(rawStatus("inference.GRPCInferenceService/ModelInfer", valid).getCode()).isEqualTo(Status.Code.OK);
    }

    /** The status of a call of {@code method} that sends these messages, then half-closes. */
    private Status rawStatus(String method, byte[]... messages) throws Exception {
        java.util.concurrent.CompletableFuture<Status> closed = new java.util.concurrent.CompletableFuture<>();
        io.grpc.ClientCall<byte[], byte[]> call = channel.newCall(bytesMethod(method), CallOptions.DEFAULT);
        call.start(new io.grpc.ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, io.grpc.Metadata trailers) {
                closed.complete(status);
            }
        }, new io.grpc.Metadata());
        call.request(2);
        for (byte[] message : messages) {
            call.sendMessage(message);
        }
        call.halfClose();
        return closed.get(10, TimeUnit.SECONDS);
    }

    /** A unary method of that name whose messages are bytes as they are. */
    private static MethodDescriptor<byte[], byte[]> bytesMethod(String method) {
        MethodDescriptor.Marshaller<byte[]> bytes = new MethodDescriptor.Marshaller<>() {
            @Override
            public java.io.InputStream stream(byte[] value) {
                return new java.io.ByteArrayInputStream(value);
            }

            @Override
            public byte[] parse(java.io.InputStream stream) {
                try {
                    return stream.readAllBytes();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(method)
                .setRequestMarshaller(bytes).setResponseMarshaller(bytes).build();
    }

    /** One unary call of {@code method} with these bytes as its message, as a client with a broken encoder sends. */
    private byte[] rawCall(String method, byte[] message) {
        return rawCall(method, message, null);
    }

    /** As {@link #rawCall(String, byte[])}, compressed with {@code compression} when it is not null. */
    private byte[] rawCall(String method, byte[] message, String compression) {
        return ClientCalls.blockingUnaryCall(channel, bytesMethod(method), CallOptions.DEFAULT.withCompression(compression),
                message);
    }

    @Test
    void healthAndReflectionAreTheStandardServices() throws Exception {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        assertThat(health.check(HealthCheckRequest.newBuilder().build()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService("inference.GRPCInferenceService").build())
                .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

        ServerReflectionResponse services = reflect(ServerReflectionRequest.newBuilder().setListServices("").build());
        assertThat(services.getListServicesResponse().getServiceList()).extracting(service -> service.getName())
                .contains("inference.GRPCInferenceService", "grpc.health.v1.Health");

        // What grpcurl asks to describe a method: the file that defines it, with the service's methods.
        ServerReflectionResponse descriptor = reflect(ServerReflectionRequest.newBuilder()
                .setFileContainingSymbol("inference.GRPCInferenceService.ModelInfer").build());
        com.google.protobuf.DescriptorProtos.FileDescriptorProto proto = com.google.protobuf.DescriptorProtos
                .FileDescriptorProto.parseFrom(descriptor.getFileDescriptorResponse().getFileDescriptorProto(0));
        assertThat(proto.getPackage()).isEqualTo("inference");
        assertThat(proto.getServiceList()).extracting(service -> service.getName())
                .containsExactly("GRPCInferenceService");
        assertThat(proto.getService(0).getMethodList()).extracting(method -> method.getName())
                .contains("ModelInfer", "ServerLive");
    }

    /** The first answer of the reflection service to one request. */
    private ServerReflectionResponse reflect(ServerReflectionRequest request) throws Exception {
        java.util.concurrent.CompletableFuture<ServerReflectionResponse> answer = new java.util.concurrent.CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> reflection = ServerReflectionGrpc.newStub(channel)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        answer.complete(response);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        reflection.onNext(request);
        ServerReflectionResponse response = answer.get(10, TimeUnit.SECONDS);
        reflection.onCompleted();
        return response;
    }

    @Test
    void whileNotReadyCallsAreUnavailableAndHealthSaysNotServing() {
        AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
        try {
            assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isFalse();
            assertStatus(() -> stub.modelInfer(seed("cross-entropy").build()), Status.Code.UNAVAILABLE, "starting or"
                    + " shutting down");
            assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
        } finally {
            AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
        }
    }

    @Test
    void computationsAndRejectionsAreCountedUnderTheGrpcProtocol() throws Exception {
        double computed = metric("loss_computation_seconds_count\\{backend=\"cpu\",loss=\"focal\",protocol=\"grpc\"}");
        double rejected = metric(INVALID_REQUESTS);

        stub.modelInfer(seed("focal").build());
        catchThrowableOfType(StatusRuntimeException.class, () -> stub.modelInfer(ModelInferRequest.newBuilder()
                .setModelName("focal").addInputs(tensor("logits", "FP32", new long[] {1, 2}, 1, 2)).build()));

        assertThat(metric("loss_computation_seconds_count\\{backend=\"cpu\",loss=\"focal\",protocol=\"grpc\"}"))
                .isEqualTo(computed + 1);
        assertThat(metric(INVALID_REQUESTS))
                .isEqualTo(rejected + 1);
    }

    /** Two rows of three logits, class indices 2 and 0: valid for cross-entropy, focal and their kind. */
    private static ModelInferRequest.Builder seed(String model) {
        return ModelInferRequest.newBuilder().setModelName(model)
                .addInputs(tensor("logits", "FP32", new long[] {2, 3}, 0.5f, 1.5f, -1, 2, 0, 1))
                .addInputs(int64("targets", 2, 0));
    }

    private static ModelInferRequest.InferInputTensor tensor(String name, String datatype, long[] shape,
            float... values) {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (float value : values) {
            contents.addFp32Contents(value);
        }
        ModelInferRequest.InferInputTensor.Builder tensor = ModelInferRequest.InferInputTensor.newBuilder()
                .setName(name).setDatatype(datatype).setContents(contents);
        for (long dimension : shape) {
            tensor.addShape(dimension);
        }
        return tensor.build();
    }

    private static ModelInferRequest.InferInputTensor int64(String name, long... values) {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (long value : values) {
            contents.addInt64Contents(value);
        }
        return ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype("INT64")
                .addShape(values.length).setContents(contents).build();
    }

    private static StatusRuntimeException assertStatus(Runnable call, Status.Code code, String inDescription) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(e).as("a status").isNotNull();
        assertThat(e.getStatus().getCode()).as(String.valueOf(e.getStatus())).isEqualTo(code);
        assertThat(String.valueOf(e.getStatus().getDescription())).contains(inDescription)
                .doesNotContain("Exception", "jackson", "springframework", "nd4j", "\tat ");
        return e;
    }

    private double metric(String pattern) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + httpPort + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher matcher = Pattern.compile(pattern + " (\\S+)").matcher(metrics);
        assertThat(matcher.find()).as(pattern).isTrue();
        return Double.parseDouble(matcher.group(1));
    }
}
