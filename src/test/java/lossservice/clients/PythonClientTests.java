package lossservice.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Runs the Python client's own unittest suite ({@code clients/python/tests}) with the machine's Python 3
 * against the application on a random port, and type-checks the client with {@code mypy --strict} (it ships
 * {@code py.typed}). A missing interpreter or mypy is a failure, not a skip: {@code test.sh} (which {@code .ci/run}
 * runs) installs both. {@code -Dpython=/path/to/python3} and {@code -Dmypy=/path/to/mypy} pick others.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PythonClientTests {

    private static final Path CLIENT_DIRECTORY = Path.of("clients", "python");
    private static final long TIMEOUT_MINUTES = 5;
    /** Fewer tests than this means discovery went wrong (a module that no longer imports, say). */
    private static final int MINIMUM_TEST_COUNT = 60;
    private static final Pattern RAN = Pattern.compile("^Ran (\\d+) tests? in ", Pattern.MULTILINE);

    @LocalServerPort
    int port;

    @Test
    void pythonClientTestsPassAgainstTheRunningService() throws Exception {
        assertThat(CLIENT_DIRECTORY.resolve("loss_service_client")).isDirectory();
        String python = System.getProperty("python", "python3");
        Path output = Files.createTempFile("python-client-tests", ".log");
        try {
            ProcessBuilder command = new ProcessBuilder(python, "-m", "unittest", "discover", "-v")
                    .directory(CLIENT_DIRECTORY.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            command.environment().put("LOSS_SERVICE_URL", "http://127.0.0.1:" + port);
            command.environment().put("PYTHONDONTWRITEBYTECODE", "1"); // no __pycache__ in the source tree
            command.environment().remove("PYTHONPATH");

            Process process = start(command, python, "the Python client tests need Python 3 (Debian: apt-get "
                    + "install python3; .ci/run installs it)");
            String log = finish(process, output, "The Python client tests");

            assertThat(process.exitValue()).as("exit status of %s -m unittest; its output:%n%s", python, log)
                    .isZero();
            Matcher ran = RAN.matcher(log);
            assertThat(ran.find()).as("a unittest summary in:%n%s", log).isTrue();
            assertThat(Integer.parseInt(ran.group(1))).as("tests run; output:%n%s", log)
                    .isGreaterThanOrEqualTo(MINIMUM_TEST_COUNT);
            assertThat(log).as("output").containsPattern("(?m)^OK( \\(skipped=\\d+\\))?$");
            // Skips say why (no numpy here, or a loss served but not yet written out in the client's generated
            // methods, which then come from the service's catalogue): shown, not hidden in the passing log.
            log.lines().filter(line -> line.contains("skipped ")).forEach(line -> System.out.println(
                    "Python client tests: " + line.strip()));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    @Test
    void pythonClientPassesMypyStrict() throws Exception {
        assertThat(CLIENT_DIRECTORY.resolve("loss_service_client").resolve("py.typed")).isRegularFile();
        String mypy = System.getProperty("mypy", "mypy");
        Path output = Files.createTempFile("python-client-mypy", ".log");
        try {
            // In clients/python, whose pyproject.toml configures mypy (numpy is optional).
            ProcessBuilder command = new ProcessBuilder(mypy, "--strict", "loss_service_client")
                    .directory(CLIENT_DIRECTORY.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            command.environment().put("MYPY_CACHE_DIR", "/dev/null"); // no .mypy_cache in the source tree
            command.environment().remove("PYTHONPATH");

            Process process = start(command, mypy, "the type check of the Python client needs mypy (Debian: "
                    + "apt-get install mypy; test.sh installs it)");
            String log = finish(process, output, "mypy");

            assertThat(process.exitValue())
                    .as("exit status of %s --strict loss_service_client (in %s); its output:%n%s", mypy,
                            CLIENT_DIRECTORY, log)
                    .isZero();
            assertThat(log).as("output").contains("Success: no issues found");
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static Process start(ProcessBuilder command, String program, String need) {
        try {
            return command.start();
        } catch (IOException notFound) {
            throw new AssertionError("Cannot run " + program + " (" + notFound.getMessage() + "): " + need, notFound);
        }
    }

    /** Waits for the process and returns its output; fails when it does not finish in time. */
    private static String finish(Process process, Path output, String what) throws Exception {
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            fail(what + " did not finish within " + TIMEOUT_MINUTES + " minutes:\n"
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
        return Files.readString(output, StandardCharsets.UTF_8);
    }
}
