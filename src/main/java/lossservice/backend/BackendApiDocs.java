package lossservice.backend;

import java.util.List;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.RequiredMode;

/**
 * GET /v1/backend as the OpenAPI document describes it: the JSON form of {@link BackendReport}, with what each
 * field means. These records are never instantiated.
 */
final class BackendApiDocs {

    private BackendApiDocs() {
    }

    static final String SUMMARY = "The ND4J backend that computes the losses";

    static final String DESCRIPTION = """
            Which ND4J backend this process computes with, why it was chosen, and the CUDA devices it sees. \
            The backend is chosen once, at startup, from the `loss.backend` setting; every loss response names \
            it in its `backend` field.""";

    static final String EXAMPLE = """
            {
              "backend": "cpu",
              "requested": "auto",
              "reason": "CUDA backend not on the classpath (build with -Pcuda)",
              "devices": [],
              "nd4jVersion": "1.0.0-M2.1",
              "dataType": "FLOAT",
              "threads": 2,
              "cpuCores": 2
            }""";

    @Schema(name = "BackendReport", description = "The ND4J backend in use and how it was chosen.")
    record Report(
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"cpu", "cuda"},
                    description = "The backend that computes every response.")
            String backend,
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"auto", "cpu", "cuda"},
                    description = "The `loss.backend` setting: `auto` uses CUDA when a device is usable, else the CPU.")
            String requested,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "Why this backend was chosen.",
                    example = "CUDA backend not on the classpath (build with -Pcuda)")
            String reason,
            @ArraySchema(arraySchema = @Schema(requiredMode = RequiredMode.REQUIRED,
                    description = "The CUDA devices; empty on the CPU backend."))
            List<Device> devices,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "The ND4J version.", example = "1.0.0-M2.1")
            String nd4jVersion,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "ND4J's default floating-point data type.",
                    example = "FLOAT")
            String dataType,
            @Schema(requiredMode = RequiredMode.REQUIRED, minimum = "1",
                    description = "The number of threads ND4J computes with.")
            Integer threads,
            @Schema(requiredMode = RequiredMode.REQUIRED, minimum = "1",
                    description = "The number of processors available to the JVM.")
            Integer cpuCores) {
    }

    @Schema(name = "CudaDevice", description = "A CUDA device the backend sees.")
    record Device(
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "The device name.")
            String name,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "Its total memory in bytes; -1 when unknown.")
            Long totalMemoryBytes) {
    }
}
