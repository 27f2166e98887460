package lossservice.inference.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import lossservice.grpc.v2.GRPCInferenceServiceGrpc;
import lossservice.grpc.v2.ModelInferResponse;
import lossservice.oracle.OracleVectors;
import tools.jackson.databind.JsonNode;

/**
 * Every oracle vector of every loss whose arrays a tensor can carry, through the gRPC form of the Open Inference
 * Protocol with stubs generated from the standard proto, with the data in {@code raw_input_contents} and in the
 * typed {@code contents}: a valid case gives PyTorch's numbers, an invalid one INVALID_ARGUMENT (never UNKNOWN or
 * INTERNAL).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcOracleVectorsTests {

    @Autowired
    GrpcServer server;

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

    static Stream<Arguments> validCases() {
        return inBothForms(OracleVectors.allValid());
    }

    /** Invalid cases; not those whose only fault is a number written as a string, which gRPC reads as the number. */
    static Stream<Arguments> invalidCases() {
        return inBothForms(OracleVectors.allInvalid().stream().filter(c -> c.request() == null
                || !c.request().isObject() || !hasNumberInAString(c.request())).toList());
    }

    private static boolean hasNumberInAString(JsonNode request) {
        return request.valueStream().anyMatch(value -> value.isString()
                && value.asString().strip().matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?"));
    }

    private static Stream<Arguments> inBothForms(List<OracleVectors.Case> cases) {
        List<Arguments> arguments = new ArrayList<>();
        for (OracleVectors.Case oracleCase : cases) {
            if (oracleCase.request() != null && oracleCase.request().isObject()
                    && GrpcRequests.representable(oracleCase.request())) {
                arguments.add(Arguments.of(oracleCase, "raw"));
                arguments.add(Arguments.of(oracleCase, "typed"));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("validCases")
    void validCaseMatchesPyTorch(OracleVectors.Case oracleCase, String form) {
        ModelInferResponse response = stub.modelInfer(GrpcRequests.convert(model(oracleCase), oracleCase.request(),
                form.equals("raw")));

        assertThat(response.getModelName()).isEqualTo(model(oracleCase));
        assertThat(response.getRawOutputContentsCount()).isEqualTo(form.equals("raw") ? response.getOutputsCount() : 0);
        for (ModelInferResponse.InferOutputTensor output : response.getOutputsList()) {
            assertThat(output.getDatatype()).isEqualTo(oracleCase.isFloat64() ? "FP64" : "FP32");
        }
        JsonNode actual = GrpcRequests.asJsonResponse(response, oracleCase.allOutputs());
        JsonNode include = oracleCase.request().get("include");
        List<String> requested = new ArrayList<>();
        if (oracleCase.sentAsIs() && include != null && include.isArray()) {
            include.forEach(name -> requested.add(name.asString()));
        } else {
            requested.addAll(oracleCase.allOutputs());
        }
        OracleVectors.assertMatches(oracleCase, actual, requested, false);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("invalidCases")
    void invalidCaseIsInvalidArgument(OracleVectors.Case oracleCase, String form) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.modelInfer(
                GrpcRequests.convert(model(oracleCase), oracleCase.request(), form.equals("raw"))));

        assertThat(e).as("a status, not an answer").isNotNull();
        assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).isNotBlank()
                .doesNotContain("Exception", "jackson", "springframework", "nd4j", "\tat ");
    }

    private static String model(OracleVectors.Case oracleCase) {
        return oracleCase.endpoint().substring("/v1/losses/".length());
    }
}
