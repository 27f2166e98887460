package lossservice.inference;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import lossservice.backend.ActiveBackend;
import lossservice.compute.ComputePool;
import lossservice.crossentropy.CrossEntropyLoss;
import lossservice.crossentropy.CrossEntropyResult;
import lossservice.limits.LimitsProperties;
import lossservice.metrics.LossMetrics;
import lossservice.metrics.LossMetrics.Rejection;
import lossservice.problem.DeadlineExceededException;
import lossservice.problem.InvalidRequestException;
import lossservice.problem.MalformedRequestException;
import lossservice.problem.OverloadedException;
import lossservice.problem.PayloadTooLargeException;
import lossservice.problem.ProblemType;
import lossservice.problem.ResultOutOfRangeException;
import lossservice.problem.Violation;

/**
 * The Open Inference Protocol (KServe V2, as NVIDIA Triton speaks it) over HTTP, for the model
 * {@code cross-entropy}, with the binary tensor data extension. The computation is the JSON endpoint's: the
 * same {@link CrossEntropyLoss} on the same {@link ComputePool}. Errors are the protocol's
 * {@code {"error": "..."}} rather than problem+json, because that is what V2 clients read.
 */
@Tag(name = "open-inference-protocol", description = InferenceApiDocs.TAG)
@RestController
class InferenceController {

    private static final Logger log = LoggerFactory.getLogger(InferenceController.class);
    private static final String PREFIX = "/v2/models/" + CrossEntropyModel.NAME;
    private static final String VERSIONED = PREFIX + "/versions/" + CrossEntropyModel.VERSION;
    private static final Pattern MODEL_PATH =
            Pattern.compile("/v2/models/([^/]+)(?:/versions/([^/]+))?(/ready|/infer)?/?");
    /** Bytes of an unread request body read and dropped before an error is sent, so the client can send it all. */
    private static final long MAX_DRAINED_BYTES = 256L << 20;

    private final CrossEntropyLoss loss;
    private final ComputePool computePool;
    private final ApplicationAvailability availability;
    private final ProtocolMetadata.Server serverMetadata;
    private final LossMetrics metrics;
    private final InferenceRequestReader reader;

    /** The backend is warmed up in its constructor: depending on it means serving only once it is ready. */
    InferenceController(CrossEntropyLoss loss, ComputePool computePool, ApplicationAvailability availability,
            ActiveBackend backend, LimitsProperties limits, LossMetrics metrics,
            @Value("${spring.application.name:loss-service}") String name,
            @Value("${loss.inference.server-version:unknown}") String version) {
        this.loss = loss;
        this.computePool = computePool;
        this.availability = availability;
        this.metrics = metrics;
        this.reader = new InferenceRequestReader(limits);
        this.serverMetadata = new ProtocolMetadata.Server(name, version, List.of("binary_tensor_data"));
        log.debug("Open Inference Protocol endpoints for {} on the {} backend", CrossEntropyModel.NAME, backend.kind());
    }

    @Operation(operationId = "inferenceServerMetadata", summary = "Server metadata (Open Inference Protocol)",
            description = InferenceApiDocs.SERVER_METADATA)
    @ApiResponse(responseCode = "200", description = "The server metadata.", content = @Content(
            schema = @Schema(implementation = ProtocolMetadata.Server.class),
            examples = @ExampleObject(name = "server", description = "This service.", value = InferenceApiDocs.SERVER_METADATA_EXAMPLE)))
    @GetMapping(path = "/v2", produces = MediaType.APPLICATION_JSON_VALUE)
    ProtocolMetadata.Server serverMetadata() {
        return serverMetadata;
    }

    @Operation(operationId = "inferenceServerLive", summary = "Liveness (Open Inference Protocol)",
            description = "200 with an empty body while the process serves requests.")
    @ApiResponse(responseCode = "200", description = "Live.")
    @GetMapping("/v2/health/live")
    ResponseEntity<Void> live() {
        return ResponseEntity.ok().build();
    }

    @Operation(operationId = "inferenceServerReady", summary = "Readiness (Open Inference Protocol)",
            description = InferenceApiDocs.READY)
    @ApiResponse(responseCode = "200", description = "Ready: the backend is warmed up and the service accepts traffic.")
    @ApiResponse(responseCode = "503", description = "Not ready (starting or shutting down).")
    @GetMapping("/v2/health/ready")
    ResponseEntity<Void> serverReady() {
        return readiness();
    }

    @Operation(operationId = "inferenceModelMetadata", summary = "Model metadata of cross-entropy",
            description = InferenceApiDocs.MODEL_METADATA)
    @ApiResponse(responseCode = "200", description = "The model metadata.", content = @Content(
            schema = @Schema(implementation = ProtocolMetadata.Model.class),
            examples = @ExampleObject(name = "crossEntropy", description = "The model.", value = InferenceApiDocs.MODEL_METADATA_EXAMPLE)))
    @GetMapping(path = PREFIX, produces = MediaType.APPLICATION_JSON_VALUE)
    ProtocolMetadata.Model modelMetadata() {
        return CrossEntropyModel.METADATA;
    }

    /** The versioned paths answer as the unversioned ones; the OpenAPI document names them in the descriptions. */
    @Hidden
    @GetMapping(path = VERSIONED, produces = MediaType.APPLICATION_JSON_VALUE)
    ProtocolMetadata.Model versionedModelMetadata() {
        return modelMetadata();
    }

    @Operation(operationId = "inferenceModelReady", summary = "Readiness of cross-entropy",
            description = InferenceApiDocs.READY)
    @ApiResponse(responseCode = "200", description = "The model is ready.")
    @ApiResponse(responseCode = "503", description = "Not ready (starting or shutting down).")
    @GetMapping(PREFIX + "/ready")
    ResponseEntity<Void> modelReady() {
        return readiness();
    }

    @Hidden
    @GetMapping(VERSIONED + "/ready")
    ResponseEntity<Void> versionedModelReady() {
        return readiness();
    }

    @Operation(operationId = "inferCrossEntropy", summary = "Inference with cross-entropy (Open Inference Protocol)",
            description = InferenceApiDocs.INFER)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, description = InferenceApiDocs.INFER_BODY,
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = InferenceApiDocs.InferRequest.class), examples = {
                        @ExampleObject(name = "seed", summary = "The seed example: N = 2, C = 10, targets [2, 5]",
                                description = "Nested FP32 logits, INT64 class indices, epsilon 0.1; loss 3.6503.",
                                value = InferenceApiDocs.SEED_EXAMPLE),
                        @ExampleObject(name = "softTargetsAndWeights",
                                summary = "Probability targets, class weights, reduction none, flat data",
                                description = "FP64 logits, FP32 probability targets and class weights.",
                                value = InferenceApiDocs.SOFT_TARGETS_EXAMPLE)}))
    @ApiResponse(responseCode = "200", description = InferenceApiDocs.INFER_200, content = @Content(
            mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = InferenceApiDocs.InferResponse.class),
            examples = @ExampleObject(name = "seed", description = "The answer to the seed example.",
                    value = InferenceApiDocs.SEED_RESPONSE_EXAMPLE)),
            headers = @Header(name = InferenceRequestReader.HEADER_LENGTH, description = InferenceApiDocs.HEADER_LENGTH,
                    schema = @Schema(type = "integer", minimum = "1")))
    @ApiResponse(responseCode = "400", description = InferenceApiDocs.INFER_400, content = @Content(
            mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = InferenceApiDocs.Error.class),
            examples = @ExampleObject(name = "classIndexOutOfRange", description = "A class index out of range.",
                    value = InferenceApiDocs.ERROR_EXAMPLE)))
    @ApiResponse(responseCode = "413", description = "A body over loss.limits.max-body-size, or binary data over the"
            + " limit of a body of unknown length.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = InferenceApiDocs.Error.class)))
    @ApiResponse(responseCode = "503", description = "Overloaded (with Retry-After) or past loss.limits.deadline.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = InferenceApiDocs.Error.class)))
    @ApiResponse(responseCode = "415", description = "A Content-Encoding other than gzip, deflate or identity.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = InferenceApiDocs.Error.class)))
    @PostMapping(PREFIX + "/infer")
    void infer(HttpServletRequest request, HttpServletResponse response) throws IOException {
        InferenceRequest inference = reader.read(decodedBody(request), contentLength(request),
                request.getHeader(InferenceRequestReader.HEADER_LENGTH));
        CrossEntropyModel.Call call = CrossEntropyModel.toCall(inference);
        CrossEntropyResult result = computePool.run(() -> loss.compute(call.request()));
        InferenceResponseWriter.Response body =
                InferenceResponseWriter.response(inference.id(), CrossEntropyModel.outputs(call, result));

        response.setStatus(HttpServletResponse.SC_OK);
        if (body.hasBinary()) {
            response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
            response.setHeader(InferenceRequestReader.HEADER_LENGTH, String.valueOf(body.json().length));
        } else {
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        }
        response.setContentLengthLong(body.contentLength());
        body.writeBody(response.getOutputStream());
    }

    @Hidden
    @PostMapping(VERSIONED + "/infer")
    void versionedInfer(HttpServletRequest request, HttpServletResponse response) throws IOException {
        infer(request, response);
    }

    /** Every other path under /v2: an unknown model or version, a wrong method, or nothing at all. */
    @Hidden
    @RequestMapping("/v2/**")
    ResponseEntity<byte[]> otherV2Paths(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        Matcher model = MODEL_PATH.matcher(path);
        if (model.matches() && !model.group(1).equals(CrossEntropyModel.NAME)) {
            return error(HttpStatus.NOT_FOUND, "Unknown model \"" + model.group(1) + "\"; this server serves \""
                    + CrossEntropyModel.NAME + "\".");
        }
        if (model.matches() && model.group(2) != null && !model.group(2).equals(CrossEntropyModel.VERSION)) {
            return error(HttpStatus.NOT_FOUND, "Model \"" + CrossEntropyModel.NAME + "\" has no version \""
                    + model.group(2) + "\"; its version is " + CrossEntropyModel.VERSION + ".");
        }
        String allowed = model.matches() ? ("/infer".equals(model.group(3)) ? "POST" : "GET")
                : path.matches("/v2/?|/v2/health/(live|ready)") ? "GET" : null;
        if (allowed == null) {
            return error(HttpStatus.NOT_FOUND, "There is no Open Inference Protocol endpoint at " + path + ".");
        }
        return ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED).header(HttpHeaders.ALLOW, allowed)
                .contentType(MediaType.APPLICATION_JSON)
                .body(InferenceResponseWriter.error(request.getMethod() + " is not allowed on " + path
                        + "; use " + allowed + "."));
    }

    // ---- errors, as {"error": "..."} ----------------------------------------------------------------------

    @ExceptionHandler(InferenceException.class)
    ResponseEntity<byte[]> refused(InferenceException e, HttpServletRequest request) {
        drain(request);
        return error(e.status(), e.getMessage());
    }

    @ExceptionHandler(InvalidRequestException.class)
    ResponseEntity<byte[]> invalid(InvalidRequestException e, HttpServletRequest request) {
        drain(request);
        List<Violation> violations = e.violations();
        int count = violations.size() + e.omitted();
        StringBuilder message = new StringBuilder(count == 1 ? "" : "The request breaks " + count + " rules: ");
        for (int i = 0; i < violations.size(); i++) {
            Violation violation = violations.get(i);
            message.append(i == 0 ? "" : "; ").append(violation.pointer().isEmpty() ? "the request" : violation.pointer())
                    .append(": ").append(violation.message());
        }
        if (e.omitted() > 0) {
            message.append("; and ").append(e.omitted()).append(" more");
        }
        return error(HttpStatus.BAD_REQUEST, message.append('.').toString());
    }

    @ExceptionHandler(MalformedRequestException.class)
    ResponseEntity<byte[]> malformed(MalformedRequestException e, HttpServletRequest request) {
        drain(request);
        return error(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(ResultOutOfRangeException.class)
    ResponseEntity<byte[]> outOfRange(ResultOutOfRangeException e) {
        return error(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    // The request limits met after the filter (a chunked body passing the size limit, the deadline, no place for
    // the computation): the status is the limit's own (its ProblemType's), the body the protocol's. The body is not
    // drained; Connection: close lets Tomcat discard the rest of it, as for the JSON endpoints.

    @ExceptionHandler(PayloadTooLargeException.class)
    ResponseEntity<byte[]> payloadTooLarge(PayloadTooLargeException e) {
        metrics.rejected(Rejection.PAYLOAD_TOO_LARGE);
        return limitError(ProblemType.PAYLOAD_TOO_LARGE, e.getMessage(), new HttpHeaders());
    }

    @ExceptionHandler(DeadlineExceededException.class)
    ResponseEntity<byte[]> deadlineExceeded(DeadlineExceededException e) {
        metrics.rejected(Rejection.DEADLINE_EXCEEDED);
        return limitError(ProblemType.DEADLINE_EXCEEDED, e.getMessage(), new HttpHeaders());
    }

    @ExceptionHandler(OverloadedException.class)
    ResponseEntity<byte[]> overloaded(OverloadedException e) {
        metrics.rejected(Rejection.OVERLOADED);
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        return limitError(ProblemType.OVERLOADED, e.getMessage(), headers);
    }

    private static ResponseEntity<byte[]> limitError(ProblemType type, String message, HttpHeaders headers) {
        headers.setConnection("close");
        return ResponseEntity.status(type.status()).headers(headers).contentType(MediaType.APPLICATION_JSON)
                .body(InferenceResponseWriter.error(message));
    }

    /** A body that is not what its Content-Encoding says (broken gzip), or a connection that broke mid-body. */
    @ExceptionHandler(IOException.class)
    ResponseEntity<byte[]> unreadable(IOException e) {
        return error(HttpStatus.BAD_REQUEST, "The request body could not be read to its end.");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<byte[]> unexpected(Exception e, HttpServletRequest request) {
        log.error("Unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
        return error(HttpStatus.INTERNAL_SERVER_ERROR, "The service failed to handle the request.");
    }

    private static ResponseEntity<byte[]> error(HttpStatus status, String message) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body(InferenceResponseWriter.error(message));
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private ResponseEntity<Void> readiness() {
        return availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC
                ? ResponseEntity.ok().build()
                : ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).build();
    }

    /**
     * The body as sent before compression. The request limits filter has already inflated a gzip or deflate body
     * (tritonclient may send either) and removed its Content-Encoding, on every endpoint alike.
     */
    private static InputStream decodedBody(HttpServletRequest request) throws IOException {
        return request.getInputStream();
    }

    /** The length of the body as the reader sees it: unknown when compressed. */
    private static long contentLength(HttpServletRequest request) {
        String encoding = request.getHeader(HttpHeaders.CONTENT_ENCODING);
        boolean compressed = encoding != null && !encoding.isBlank() && !encoding.strip().equalsIgnoreCase("identity");
        return compressed ? -1 : request.getContentLengthLong();
    }

    /**
     * Reads what is left of a refused request's body (up to a limit) so that a client still sending it gets the
     * error instead of a reset connection.
     */
    private static void drain(HttpServletRequest request) {
        try {
            InputStream in = request.getInputStream();
            byte[] buffer = new byte[64 << 10];
            long drained = 0;
            int read;
            while (drained < MAX_DRAINED_BYTES && (read = in.read(buffer)) >= 0) {
                drained += read;
            }
        } catch (IOException | IllegalStateException e) {
            // The connection is gone or the body was read otherwise: nothing left to drain.
        } catch (PayloadTooLargeException | DeadlineExceededException e) {
            // The rest passes a request limit: Tomcat discards it (up to server.tomcat.max-swallow-size) or closes.
        }
    }
}
