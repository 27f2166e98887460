package lossservice.rest;

import java.io.IOException;

import lossservice.limits.LimitsProperties;
import lossservice.loss.CallBinder;
import lossservice.loss.LossCall;
import lossservice.loss.LossDefinition;
import lossservice.loss.LossRegistry;
import lossservice.loss.LossResult;
import lossservice.loss.RawRequest;
import lossservice.problem.UnknownLossException;
import lossservice.problem.Violations;
import lossservice.serving.LossExecutor;
import lossservice.web.ResponseBodyOutput;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The JSON endpoints of every loss: {@code POST /v1/losses/{name}} reads the body by the loss's signature,
 * computes it and streams the answer; {@code GET /v1/losses} lists the catalogue. Each loss's operation is
 * described in the OpenAPI document from its definition (see {@code OpenApiLosses}), hence hidden here.
 */
@RestController
class LossController {

    static final String PROTOCOL = "rest";

    private final LossRegistry registry;
    private final LossExecutor executor;
    private final JsonCallReader reader;
    private final long maxOutputElements;
    private final LossCatalogue catalogue;

    LossController(LossRegistry registry, LossExecutor executor, LimitsProperties limits) {
        this.registry = registry;
        this.executor = executor;
        this.reader = new JsonCallReader(limits);
        this.maxOutputElements = limits.maxOutputElements();
        this.catalogue = LossCatalogue.of(registry);
    }

    @Hidden
    @PostMapping(path = "/v1/losses/{name}", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    void compute(@PathVariable String name, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        LossDefinition definition = registry.find(name);
        if (definition == null) {
            throw new UnknownLossException(name, registry.all().stream().map(LossDefinition::name).toList());
        }
        Violations violations = new Violations();
        RawRequest raw = reader.read(definition, request.getInputStream(), violations);
        LossCall call = CallBinder.bind(definition, raw, maxOutputElements, violations);
        LossResult result = executor.execute(definition, call, PROTOCOL);
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        ResponseBodyOutput body = ResponseBodyOutput.of(response);
        JsonResultWriter.write(body, call, result, definition.echoes(call), executor.backend(),
                call.input(definition.signature().firstInput().name()).shape());
        body.finish();
    }

    @Tag(name = "losses")
    @Operation(operationId = "losses", summary = "The loss catalogue", description = """
            Every loss the service computes: its JSON endpoint, its model on the Open Inference Protocol, its \
            inputs (with their shapes and value ranges), scalar parameters (with defaults and ranges), reductions \
            and outputs, from the same definitions that drive validation and this document.""")
    @ApiResponse(responseCode = "200", description = "The catalogue.")
    @ApiResponse(responseCode = "406", ref = "#/components/responses/NotAcceptable")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/PayloadTooLarge")
    @GetMapping(path = "/v1/losses", produces = MediaType.APPLICATION_JSON_VALUE)
    LossCatalogue catalogue() {
        return catalogue;
    }
}
