package lossservice.backend;

import java.util.List;

/** What {@code GET /v1/backend} reports about the ND4J backend in use. */
public record BackendReport(
        String backend,
        String requested,
        String reason,
        List<Device> devices,
        String nd4jVersion,
        String dataType,
        int threads,
        int cpuCores) {

    public BackendReport {
        devices = List.copyOf(devices);
    }

    /** A CUDA device; none are listed on the CPU backend. */
    public record Device(String name, long totalMemoryBytes) {
    }
}
