package lossservice.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BackendSelectorTests {

    private static final String NO_DRIVER = "no NVIDIA driver found";

    @ParameterizedTest(name = "{0}, CUDA backend on classpath: {1}, device usable: {2} -> {3}")
    @CsvSource({
            // requested, backend on classpath, device usable, outcome, device probed
            "AUTO, false, false, CPU,  false",
            "AUTO, false, true,  CPU,  false",
            "AUTO, true,  false, CPU,  true",
            "AUTO, true,  true,  CUDA, true",
            "CPU,  false, false, CPU,  false",
            "CPU,  false, true,  CPU,  false",
            "CPU,  true,  false, CPU,  false",
            "CPU,  true,  true,  CPU,  false",
            "CUDA, false, false, FAIL, false",
            "CUDA, false, true,  FAIL, false",
            "CUDA, true,  false, FAIL, true",
            "CUDA, true,  true,  CUDA, true",
    })
    void everyCombinationHasOneOutcome(RequestedBackend requested, boolean backendOnClasspath,
            boolean deviceUsable, String outcome, boolean deviceProbed) {
        RecordingProbe probe = new RecordingProbe(deviceUsable ? null : NO_DRIVER);

        if (outcome.equals("FAIL")) {
            assertThatThrownBy(() -> BackendSelector.select(requested, backendOnClasspath, probe))
                    .isInstanceOf(BackendUnavailableException.class);
        } else {
            BackendDecision decision = BackendSelector.select(requested, backendOnClasspath, probe);
            assertThat(decision.backend()).isEqualTo(BackendKind.valueOf(outcome));
            assertThat(decision.requested()).isEqualTo(requested);
            assertThat(decision.reason()).isNotBlank().doesNotContain("\n");
        }
        assertThat(probe.calls).isEqualTo(deviceProbed ? 1 : 0);
    }

    @Test
    void autoUsesCudaWhenTheBackendIsThereAndADeviceIsUsable() {
        BackendDecision decision = BackendSelector.select(RequestedBackend.AUTO, true, new RecordingProbe(null));

        assertThat(decision).isEqualTo(new BackendDecision(BackendKind.CUDA, RequestedBackend.AUTO,
                "CUDA device available"));
    }

    @Test
    void autoFallsBackToCpuWhenTheCudaBackendIsNotOnTheClasspath() {
        BackendDecision decision = BackendSelector.select(RequestedBackend.AUTO, false, new RecordingProbe(null));

        assertThat(decision).isEqualTo(new BackendDecision(BackendKind.CPU, RequestedBackend.AUTO,
                "CUDA backend not on the classpath (build with -Pcuda)"));
    }

    @Test
    void autoFallsBackToCpuSayingWhyNoDeviceIsUsable() {
        BackendDecision decision = BackendSelector.select(RequestedBackend.AUTO, true, new RecordingProbe(NO_DRIVER));

        assertThat(decision.backend()).isEqualTo(BackendKind.CPU);
        assertThat(decision.reason()).isEqualTo("no usable CUDA device: no NVIDIA driver found");
    }

    @Test
    void aMultiLineProbeReasonIsCutToItsFirstLine() {
        RecordingProbe probe = new RecordingProbe("libcuda.so.1: cannot open shared object file\n\tat x.Y.z(Y.java:1)");

        BackendDecision decision = BackendSelector.select(RequestedBackend.AUTO, true, probe);

        assertThat(decision.reason())
                .isEqualTo("no usable CUDA device: libcuda.so.1: cannot open shared object file");
    }

    @Test
    void cpuNeverProbesCuda() {
        CudaDeviceProbe probeThatMustNotRun = () -> {
            throw new AssertionError("the CUDA device was probed");
        };

        BackendDecision decision = BackendSelector.select(RequestedBackend.CPU, true, probeThatMustNotRun);

        assertThat(decision).isEqualTo(new BackendDecision(BackendKind.CPU, RequestedBackend.CPU,
                "set by loss.backend"));
    }

    @Test
    void cudaWithoutTheBackendOnTheClasspathFailsWithTheReason() {
        assertThatThrownBy(() -> BackendSelector.select(RequestedBackend.CUDA, false, new RecordingProbe(null)))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessage("loss.backend=cuda cannot be used: CUDA backend not on the classpath (build with -Pcuda)");
    }

    @Test
    void cudaWithoutAUsableDeviceFailsWithTheReason() {
        assertThatThrownBy(() -> BackendSelector.select(RequestedBackend.CUDA, true, new RecordingProbe(NO_DRIVER)))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessage("loss.backend=cuda cannot be used: no usable CUDA device: no NVIDIA driver found");
    }

    @Test
    void cudaWithAUsableDeviceIsChosen() {
        BackendDecision decision = BackendSelector.select(RequestedBackend.CUDA, true, new RecordingProbe(null));

        assertThat(decision.backend()).isEqualTo(BackendKind.CUDA);
    }

    @Test
    void aDecisionStandsWhenNoBackendIsInstalledYetOrTheSameOneIs() {
        BackendDecision cpu = new BackendDecision(BackendKind.CPU, RequestedBackend.CPU, "set by loss.backend");

        assertThat(BackendSelector.reconcile(cpu, Optional.empty())).isSameAs(cpu);
        assertThat(BackendSelector.reconcile(cpu, Optional.of(BackendKind.CPU))).isSameAs(cpu);
    }

    @Test
    void autoKeepsTheBackendThatTheProcessAlreadyRuns() {
        BackendDecision cuda = new BackendDecision(BackendKind.CUDA, RequestedBackend.AUTO, "CUDA device available");

        BackendDecision kept = BackendSelector.reconcile(cuda, Optional.of(BackendKind.CPU));

        assertThat(kept.backend()).isEqualTo(BackendKind.CPU);
        assertThat(kept.requested()).isEqualTo(RequestedBackend.AUTO);
        assertThat(kept.reason()).isEqualTo("ND4J already runs the cpu backend in this process");
    }

    @Test
    void anExplicitRequestForTheOtherBackendFailsOnceOneIsInstalled() {
        BackendDecision cpu = new BackendDecision(BackendKind.CPU, RequestedBackend.CPU, "set by loss.backend");

        assertThatThrownBy(() -> BackendSelector.reconcile(cpu, Optional.of(BackendKind.CUDA)))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessage("loss.backend=cpu cannot be used: ND4J already runs the cuda backend in this process"
                        + " and cannot switch");
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "AUTO", " Cuda ", "cpu", "CPU"})
    void thePropertyIsReadCaseInsensitively(String value) {
        assertThat(RequestedBackend.fromProperty(value))
                .hasValue(RequestedBackend.valueOf(value.strip().toUpperCase()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "gpu", "cuda11", "c p u"})
    void unknownPropertyValuesAreRejected(String value) {
        assertThat(RequestedBackend.fromProperty(value)).isEmpty();
    }

    private static final class RecordingProbe implements CudaDeviceProbe {

        private final String whyUnusable;
        private int calls;

        RecordingProbe(String whyUnusable) {
            this.whyUnusable = whyUnusable;
        }

        @Override
        public Optional<String> whyUnusable() {
            calls++;
            return Optional.ofNullable(whyUnusable);
        }
    }
}
