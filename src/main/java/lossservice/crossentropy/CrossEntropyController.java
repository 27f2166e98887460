package lossservice.crossentropy;

import static org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;

import lossservice.compute.ComputePool;
import lossservice.metrics.LossMetrics;
import lossservice.problem.ProblemApiDocs;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "cross-entropy", description = "Cross-entropy loss, as PyTorch computes it, with label smoothing")
@RestController
class CrossEntropyController {

    private final CrossEntropyLoss loss;
    private final ComputePool computePool;
    private final LossMetrics metrics;

    CrossEntropyController(CrossEntropyLoss loss, ComputePool computePool, LossMetrics metrics) {
        this.loss = loss;
        this.computePool = computePool;
        this.metrics = metrics;
    }

    @Operation(operationId = "crossEntropy", summary = CrossEntropyApiDocs.SUMMARY,
            description = CrossEntropyApiDocs.DESCRIPTION)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
            schema = @Schema(implementation = CrossEntropyApiDocs.Request.class), examples = {
                @ExampleObject(name = "seed", summary = "N = 2, C = 10, targets [2, 5], epsilon 0.1",
                        description = CrossEntropyApiDocs.SEED_EXAMPLE_DESCRIPTION,
                        value = CrossEntropyApiDocs.SEED_EXAMPLE),
                @ExampleObject(name = "softTargets", summary = "Probability targets",
                        description = CrossEntropyApiDocs.SOFT_TARGETS_EXAMPLE_DESCRIPTION,
                        value = CrossEntropyApiDocs.SOFT_TARGETS_EXAMPLE),
                @ExampleObject(name = "classWeightsAndIgnoreIndex", summary = "Class weights and an ignored row",
                        description = CrossEntropyApiDocs.WEIGHTS_AND_IGNORE_INDEX_EXAMPLE_DESCRIPTION,
                        value = CrossEntropyApiDocs.WEIGHTS_AND_IGNORE_INDEX_EXAMPLE),
                @ExampleObject(name = "segmentationFloat64", summary = "A 2 x 3 x 2 x 2 segmentation map in float64",
                        description = CrossEntropyApiDocs.SEGMENTATION_EXAMPLE_DESCRIPTION,
                        value = CrossEntropyApiDocs.SEGMENTATION_EXAMPLE)}))
    @ApiResponse(responseCode = "200", description = CrossEntropyApiDocs.RESPONSE_200, content = @Content(
            schema = @Schema(implementation = CrossEntropyApiDocs.Response.class),
            examples = @ExampleObject(name = "seed", description = "The answer to the seed example.",
                    value = CrossEntropyApiDocs.SEED_RESPONSE_EXAMPLE)))
    @ApiResponse(responseCode = "400", description = ProblemApiDocs.MALFORMED_JSON, content = @Content(
            mediaType = APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemApiDocs.Problem.class),
            examples = @ExampleObject(name = "malformedJson", description = "A truncated body.",
                    value = ProblemApiDocs.MALFORMED_JSON_EXAMPLE)))
    @ApiResponse(responseCode = "406", description = ProblemApiDocs.NOT_ACCEPTABLE, content = @Content(
            mediaType = APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemApiDocs.Problem.class),
            examples = @ExampleObject(name = "notAcceptable", description = "Accept: text/html.",
                    value = ProblemApiDocs.NOT_ACCEPTABLE_EXAMPLE)))
    @ApiResponse(responseCode = "413", description = ProblemApiDocs.PAYLOAD_TOO_LARGE, content = @Content(
            mediaType = APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemApiDocs.Problem.class),
            examples = @ExampleObject(name = "payloadTooLarge", description = "A body over the limit.",
                    value = ProblemApiDocs.PAYLOAD_TOO_LARGE_EXAMPLE)))
    @ApiResponse(responseCode = "415", description = ProblemApiDocs.UNSUPPORTED_MEDIA_TYPE, content = @Content(
            mediaType = APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemApiDocs.Problem.class),
            examples = @ExampleObject(name = "unsupportedMediaType", description = "Content-Type: text/plain.",
                    value = ProblemApiDocs.UNSUPPORTED_MEDIA_TYPE_EXAMPLE)))
    @ApiResponse(responseCode = "422", description = CrossEntropyApiDocs.UNPROCESSABLE, content = @Content(
            mediaType = APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemApiDocs.Problem.class),
            examples = {
                @ExampleObject(name = "invalidRequest", description = "Two rules broken.",
                        value = CrossEntropyApiDocs.INVALID_REQUEST_EXAMPLE),
                @ExampleObject(name = "resultOutOfRange", description = "A loss beyond float32.",
                        value = ProblemApiDocs.RESULT_OUT_OF_RANGE_EXAMPLE)}))
    @ApiResponse(responseCode = "500", description = ProblemApiDocs.INTERNAL_ERROR, content = @Content(
            mediaType = APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemApiDocs.Problem.class),
            examples = @ExampleObject(name = "internalError", description = "An unexpected failure.",
                    value = ProblemApiDocs.INTERNAL_ERROR_EXAMPLE)))
    @ApiResponse(responseCode = "503", description = ProblemApiDocs.OVERLOADED, content = @Content(
            mediaType = APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemApiDocs.Problem.class),
            examples = @ExampleObject(name = "overloaded", description = "Too many requests in flight.",
                    value = ProblemApiDocs.OVERLOADED_EXAMPLE)),
            headers = @Header(name = "Retry-After", description = ProblemApiDocs.RETRY_AFTER,
                    schema = @Schema(type = "integer", minimum = "0")))
    @PostMapping(path = "/v1/losses/cross-entropy", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    CrossEntropyResult crossEntropy(@RequestBody CrossEntropyRequest request) {
        long elements = (long) request.batchSize() * request.numClasses();
        return computePool.run(() -> metrics.computation(elements, () -> loss.compute(request)));
    }
}
