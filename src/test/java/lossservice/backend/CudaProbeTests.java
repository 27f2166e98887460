package lossservice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CudaProbeTests {

    private final ClassLoader withoutCuda = new URLClassLoader(new URL[0], null);

    @Test
    void theCudaBackendIsNotFoundWhereItIsAbsent() {
        assertThat(CudaProbe.cudaBackendOnClasspath(withoutCuda)).isFalse();
    }

    @Test
    void withoutAnNvidiaDriverTheBackendIsNeverAsked(@TempDir Path dir) {
        CudaProbe probe = new CudaProbe(withoutCuda, List.of(dir.resolve("version"), dir.resolve("nvidiactl")));

        assertThat(probe.whyUnusable()).hasValueSatisfying(reason -> assertThat(reason)
                .startsWith("no NVIDIA driver found")
                .contains("nvidiactl"));
    }

    @Test
    void anyFailureOfTheBackendBecomesAOneLineReason(@TempDir Path dir) throws IOException {
        Path driver = Files.createFile(dir.resolve("version"));
        CudaProbe probe = new CudaProbe(withoutCuda, List.of(driver));

        assertThat(probe.whyUnusable()).hasValueSatisfying(reason -> assertThat(reason)
                .contains(CudaProbe.CUDA_BACKEND_CLASS)
                .doesNotContain("\n"));
    }

    @Test
    void theRootCauseIsDescribedOnOneLine() {
        Throwable failure = new InvocationTargetException(new RuntimeException("wrapper",
                new UnsatisfiedLinkError("no jnicudart in java.library.path\n\tat somewhere")));

        assertThat(CudaProbe.describe(failure)).isEqualTo("no jnicudart in java.library.path");
        assertThat(CudaProbe.describe(new NoClassDefFoundError())).isEqualTo("NoClassDefFoundError");
    }
}
