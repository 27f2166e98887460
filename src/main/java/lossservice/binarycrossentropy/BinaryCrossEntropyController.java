package lossservice.binarycrossentropy;

import static org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;

import lossservice.compute.ComputePool;
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

@Tag(name = "binary-cross-entropy", description = "Binary cross-entropy on logits, as PyTorch computes it, with label"
        + " smoothing towards 0.5")
@RestController
class BinaryCrossEntropyController {

    private final BinaryCrossEntropyLoss loss;
    private final ComputePool computePool;

    BinaryCrossEntropyController(BinaryCrossEntropyLoss loss, ComputePool computePool) {
        this.loss = loss;
        this.computePool = computePool;
    }

    @Operation(operationId = "binaryCrossEntropy", summary = BinaryCrossEntropyApiDocs.SUMMARY,
            description = BinaryCrossEntropyApiDocs.DESCRIPTION)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
            schema = @Schema(implementation = BinaryCrossEntropyApiDocs.Request.class), examples = {
                @ExampleObject(name = "multiLabel", summary = "Multi-label targets, epsilon 0.1",
                        description = BinaryCrossEntropyApiDocs.MULTI_LABEL_EXAMPLE_DESCRIPTION,
                        value = BinaryCrossEntropyApiDocs.MULTI_LABEL_EXAMPLE),
                @ExampleObject(name = "weightsFloat64", summary = "posWeight, classWeights, 3-D, float64",
                        description = BinaryCrossEntropyApiDocs.WEIGHTS_EXAMPLE_DESCRIPTION,
                        value = BinaryCrossEntropyApiDocs.WEIGHTS_EXAMPLE)}))
    @ApiResponse(responseCode = "200", description = BinaryCrossEntropyApiDocs.RESPONSE_200, content = @Content(
            schema = @Schema(implementation = BinaryCrossEntropyApiDocs.Response.class),
            examples = @ExampleObject(name = "multiLabel", description = "The answer to the multi-label example.",
                    value = BinaryCrossEntropyApiDocs.RESPONSE_EXAMPLE)))
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
    @ApiResponse(responseCode = "422", description = BinaryCrossEntropyApiDocs.UNPROCESSABLE, content = @Content(
            mediaType = APPLICATION_PROBLEM_JSON_VALUE, schema = @Schema(implementation = ProblemApiDocs.Problem.class),
            examples = {
                @ExampleObject(name = "invalidRequest", description = "Two rules broken.",
                        value = BinaryCrossEntropyApiDocs.INVALID_REQUEST_EXAMPLE),
                @ExampleObject(name = "resultOutOfRange", description = "A loss beyond the dtype.",
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
    @PostMapping(path = "/v1/losses/binary-cross-entropy", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    BinaryCrossEntropyResult binaryCrossEntropy(@RequestBody BinaryCrossEntropyRequest request) {
        return computePool.run(() -> loss.compute(request));
    }
}
