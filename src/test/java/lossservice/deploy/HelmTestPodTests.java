package lossservice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The script of the chart's helm test pod, run here against the application on a random port: the
 * chart is rendered with the Service's name and port pointing at it, and the pod's command runs in the
 * local shell. The pod runs it with busybox; here it needs sh, wget, sed and awk (.ci/run installs
 * wget).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HelmTestPodTests {

    @LocalServerPort
    int port;

    @Test
    void passesAgainstTheRunningService(@TempDir Path chart) throws Exception {
        ScriptRun run = runTestPod(chart, List.of());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("\"loss\":3.65034").contains("as expected");
    }

    @Test
    void failsWhenTheLossIsNotTheExpectedOne(@TempDir Path chart) throws Exception {
        ScriptRun run = runTestPod(chart, List.of("3.650347", "3.750347"));

        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("unexpected loss 3.65034");
    }

    /** Renders the test pod for 127.0.0.1 on the test's port and runs its command, with one replacement. */
    ScriptRun runTestPod(Path chart, List<String> replacement) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(HelmChartTests.onlyContainer(HelmChartTests.renderTestPod(chart,
                template -> template.set("fullnameOverride", "127.0.0.1").set("service.port", port)).getSpec())
                .getCommand());
        assertThat(command).hasSize(3).startsWith("sh", "-c");
        if (!replacement.isEmpty()) {
            assertThat(command.get(2)).contains(replacement.get(0));
            command.set(2, command.get(2).replace(replacement.get(0), replacement.get(1)));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        boolean finished = process.waitFor(60, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(finished).as("the test pod's script finished within 60 s: %s", output).isTrue();
        return new ScriptRun(process.exitValue(), output);
    }

    record ScriptRun(int exitCode, String output) {
    }
}
