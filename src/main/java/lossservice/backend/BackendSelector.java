package lossservice.backend;

import java.util.Optional;

/** Decides which ND4J backend to run from {@code loss.backend} and what the machine offers. */
final class BackendSelector {

    static final String CUDA_NOT_ON_CLASSPATH = "CUDA backend not on the classpath (build with -Pcuda)";
    static final String NO_USABLE_DEVICE = "no usable CUDA device: ";
    static final String SET_BY_PROPERTY = "set by loss.backend";
    static final String DEVICE_AVAILABLE = "CUDA device available";

    private static final String USE_CPU_OR_GPU_MACHINE =
            "Set loss.backend=auto or loss.backend=cpu, or run a build made with -Pcuda on a machine"
                    + " with an NVIDIA GPU and driver.";

    private BackendSelector() {
    }

    /**
     * Chooses the backend. {@code cpu} never probes CUDA; {@code auto} falls back to the CPU with
     * the reason; {@code cuda} fails when it cannot be honoured.
     *
     * @throws BackendUnavailableException when {@code cuda} is requested and cannot run
     */
    static BackendDecision select(RequestedBackend requested, boolean cudaBackendOnClasspath,
            CudaDeviceProbe cudaDeviceProbe) {
        if (requested == RequestedBackend.CPU) {
            return new BackendDecision(BackendKind.CPU, requested, SET_BY_PROPERTY);
        }
        Optional<String> whyNotCuda = cudaBackendOnClasspath
                ? cudaDeviceProbe.whyUnusable().map(reason -> NO_USABLE_DEVICE + oneLine(reason))
                : Optional.of(CUDA_NOT_ON_CLASSPATH);
        if (requested == RequestedBackend.AUTO) {
            return whyNotCuda
                    .map(reason -> new BackendDecision(BackendKind.CPU, requested, reason))
                    .orElseGet(() -> new BackendDecision(BackendKind.CUDA, requested, DEVICE_AVAILABLE));
        }
        if (whyNotCuda.isPresent()) {
            throw new BackendUnavailableException(
                    "loss.backend=cuda cannot be used: " + whyNotCuda.get(), USE_CPU_OR_GPU_MACHINE);
        }
        return new BackendDecision(BackendKind.CUDA, requested, SET_BY_PROPERTY);
    }

    /**
     * Keeps a decision consistent with the backend ND4J already runs in this process (ND4J's
     * backend is process-wide and cannot be switched): {@code auto} keeps the running backend, an
     * explicit request for the other backend fails.
     *
     * @throws BackendUnavailableException when an explicit request contradicts the running backend
     */
    static BackendDecision reconcile(BackendDecision decision, Optional<BackendKind> alreadyInstalled) {
        if (alreadyInstalled.isEmpty() || alreadyInstalled.get() == decision.backend()) {
            return decision;
        }
        BackendKind running = alreadyInstalled.get();
        if (decision.requested() == RequestedBackend.AUTO) {
            return new BackendDecision(running, decision.requested(),
                    "ND4J already runs the " + running.wireName() + " backend in this process");
        }
        throw new BackendUnavailableException(
                "loss.backend=" + decision.requested().wireName() + " cannot be used: ND4J already runs the "
                        + running.wireName() + " backend in this process and cannot switch",
                "Use one loss.backend value per JVM.");
    }

    private static String oneLine(String reason) {
        String trimmed = reason == null ? "" : reason.strip();
        if (trimmed.isEmpty()) {
            return "unknown reason";
        }
        int newline = trimmed.indexOf('\n');
        return (newline < 0 ? trimmed : trimmed.substring(0, newline)).strip();
    }
}
