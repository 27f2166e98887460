package lossservice.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import lossservice.inference.grpc.GrpcServer;

/**
 * A gRPC client written by nobody here: {@code clients/grpc-python/check_every_loss.py}, on Python's grpcio with the
 * standard proto compiled by protoc, calls every loss with every valid PyTorch vector, its tensors raw and typed,
 * against the application's gRPC port. Debian's {@code python3-grpcio}, {@code python3-protobuf} and
 * {@code protobuf-compiler} must be there (test.sh installs them); {@code -Dpython.grpc=...} picks the interpreter.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PythonGrpcClientTests {

    private static final long TIMEOUT_MINUTES = 5;

    @Autowired
    GrpcServer server;

    @Test
    void aGrpcioClientGetsPyTorchsNumbersForEveryLossRawAndTyped() throws Exception {
        String python = System.getProperty("python.grpc", "/usr/bin/python3");
        Path output = Files.createTempFile("python-grpc-client", ".log");
        try {
            ProcessBuilder command = new ProcessBuilder(python, "clients/grpc-python/check_every_loss.py",
                    "--target", "127.0.0.1:" + server.port(), "--proto", "src/main/proto/grpc_predict_v2.proto",
                    "--vectors", "src/test/resources/oracle")
                    .redirectErrorStream(true).redirectOutput(output.toFile());
            command.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            Process process;
            try {
                process = command.start();
            } catch (IOException notFound) {
                throw new AssertionError("Cannot run " + python + ": install python3-grpcio, python3-protobuf and"
                        + " protobuf-compiler (test.sh does)", notFound);
            }
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly().waitFor();
                fail("The gRPC client did not finish within " + TIMEOUT_MINUTES + " minutes:\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            String log = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as("exit status; output:%n%s", log).isZero();
            for (String model : new String[] {"cross-entropy", "binary-cross-entropy", "nll", "kl-divergence", "focal",
                "sigmoid-focal"}) {
                assertThat(log).as("every loss called").containsPattern("(?m)^" + model + ": [1-9]\\d* calls$");
            }
            assertThat(log).containsPattern("(?m)^\\d+ calls, 0 failed$");
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
