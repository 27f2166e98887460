package lossservice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts the application in a separate JVM, since ND4J's backend is chosen once per process. */
class BackendStartupTests {

    private static final Pattern STACK_FRAME = Pattern.compile("^\\s+at [a-z].*");

    /**
     * Stands in for ND4J's CUDA backend on a machine without a GPU: highest priority, and like the
     * real one it prints a stack trace when ND4J asks whether it is available.
     */
    private static final String FAKE_CUDA_BACKEND = """
            package org.nd4j.linalg.jcublas;

            public class JCublasBackend extends org.nd4j.linalg.factory.Nd4jBackend {
                public boolean isAvailable() {
                    new IllegalStateException("fake CUDA backend asked by ND4J").printStackTrace();
                    return false;
                }
                public boolean canRun() { throw new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object file"); }
                public boolean allowsOrder() { return false; }
                public int getPriority() { return BACKEND_PRIORITY_GPU; }
                public org.nd4j.common.io.Resource getConfigurationResource() { return null; }
                public Class getNDArrayClass() { return null; }
                public org.nd4j.linalg.factory.Environment getEnvironment() { return null; }
                public String buildInfo() { return ""; }
                public void logBackendInit() { }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void cudaWithoutTheCudaBackendStopsTheApplicationWithAOneLineReason() throws Exception {
        Result result = run(List.of(), "--loss.backend=cuda", "--server.port=0");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.lines()).anySatisfy(line -> assertThat(line)
                .contains("loss.backend=cuda cannot be used")
                .contains("CUDA backend not on the classpath"));
        assertNoStackTrace(result);
    }

    @Test
    void anUnknownBackendStopsTheApplicationWithAOneLineReason() throws Exception {
        Result result = run(List.of(), "--loss.backend=gpu", "--server.port=0");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.lines()).anySatisfy(line -> assertThat(line)
                .contains("loss.backend=gpu is not a backend: use auto, cpu or cuda"));
        assertNoStackTrace(result);
    }

    @Test
    void autoWithTheCudaBackendButNoGpuChoosesTheCpuWithoutNd4jProbingCuda() throws Exception {
        Path fakeCudaBackend = compileFakeCudaBackend();

        Result result = run(List.of(fakeCudaBackend), "--spring.main.web-application-type=none");

        assertThat(result.exitCode()).isZero();
        assertThat(result.lines()).anySatisfy(line -> assertThat(line)
                .contains("ND4J backend: cpu (requested auto; no usable CUDA device: "));
        assertThat(result.lines()).anySatisfy(line -> assertThat(line).contains("Loaded [CpuBackend] backend"));
        assertThat(result.lines()).noneMatch(line -> line.contains("fake CUDA backend asked by ND4J"));
        assertNoStackTrace(result);
    }

    private static void assertNoStackTrace(Result result) {
        assertThat(result.lines()).noneMatch(line -> STACK_FRAME.matcher(line).matches());
        assertThat(result.lines()).noneMatch(line -> line.contains("Exception in thread"));
    }

    private Path compileFakeCudaBackend() throws IOException {
        Path sources = Files.createDirectories(dir.resolve("src/org/nd4j/linalg/jcublas"));
        Path source = Files.writeString(sources.resolve("JCublasBackend.java"), FAKE_CUDA_BACKEND);
        Path classes = Files.createDirectories(dir.resolve("fake-cuda"));
        int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-nowarn",
                "-cp", System.getProperty("java.class.path"), "-d", classes.toString(), source.toString());
        assertThat(status).as("the fake CUDA backend compiles").isZero();
        Path serviceFile = classes.resolve(BackendServiceClassLoader.BACKEND_SERVICE_FILE);
        Files.createDirectories(serviceFile.getParent());
        Files.writeString(serviceFile, "org.nd4j.linalg.jcublas.JCublasBackend\n");
        return classes;
    }

    private Result run(List<Path> extraClasspath, String... arguments) throws IOException, InterruptedException {
        List<String> classpath = new ArrayList<>();
        extraClasspath.forEach(path -> classpath.add(path.toString()));
        classpath.add(System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, classpath),
                "lossservice.LossServiceApplication"));
        command.addAll(List.of(arguments));
        Path output = dir.resolve("output.txt");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS))
                    .as("the application stops by itself within 60 s")
                    .isTrue();
            return new Result(process.exitValue(), Files.readAllLines(output));
        } finally {
            process.destroyForcibly();
        }
    }

    private record Result(int exitCode, List<String> lines) {
    }
}
