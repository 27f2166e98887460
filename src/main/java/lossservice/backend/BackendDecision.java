package lossservice.backend;

/**
 * The backend chosen for this process, what {@code loss.backend} asked for, and why, in words
 * fit for a log line and the {@code GET /v1/backend} report.
 */
record BackendDecision(BackendKind backend, RequestedBackend requested, String reason) {
}
