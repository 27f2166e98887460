package lossservice.backend;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "backend", description = "The ND4J backend the service computes with")
@RestController
class BackendController {

    private final ActiveBackend activeBackend;

    BackendController(ActiveBackend activeBackend) {
        this.activeBackend = activeBackend;
    }

    @Operation(operationId = "backend", summary = BackendApiDocs.SUMMARY, description = BackendApiDocs.DESCRIPTION)
    @ApiResponse(responseCode = "200", description = "The backend report.", content = @Content(
            schema = @Schema(implementation = BackendApiDocs.Report.class),
            examples = @ExampleObject(name = "cpu", description = "The CPU backend, chosen automatically.",
                    value = BackendApiDocs.EXAMPLE)))
    @ApiResponse(responseCode = "406", ref = "#/components/responses/NotAcceptable")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/PayloadTooLarge")
    @GetMapping(path = "/v1/backend", produces = MediaType.APPLICATION_JSON_VALUE)
    BackendReport backend() {
        return activeBackend.report();
    }
}
