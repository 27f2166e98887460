package lossservice.inference;

import java.io.IOException;
import java.io.OutputStream;
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
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import lossservice.limits.LimitsProperties;
import lossservice.loss.LossDefinition;
import lossservice.loss.LossRegistry;
import lossservice.loss.LossResult;
import lossservice.metrics.LossMetrics;
import lossservice.metrics.LossMetrics.Rejection;
import lossservice.problem.ClientDisconnects;
import lossservice.problem.DeadlineExceededException;
import lossservice.problem.InvalidRequestException;
import lossservice.problem.MalformedRequestException;
import lossservice.problem.OverloadedException;
import lossservice.problem.PayloadTooLargeException;
import lossservice.problem.ProblemType;
import lossservice.problem.ResultOutOfRangeException;
import lossservice.serving.LossExecutor;
import lossservice.web.ResponseBodyOutput;

/**
 * The Open Inference Protocol (KServe V2, as NVIDIA Triton speaks it) over HTTP, with the binary tensor data
 * extension, for every loss of the registry: each is the model of its name, computed exactly as its JSON endpoint
 * computes it (the same signature, the same {@link LossExecutor}). Errors are the protocol's
 * {@code {"error": "..."}} rather than problem+json, because that is what V2 clients read. The operations are
 * described in the OpenAPI document from the loss definitions, hence hidden here.
 */
@Hidden
@RestController
class InferenceController {

    static final String PROTOCOL = "v2";

    private static final Logger log = LoggerFactory.getLogger(InferenceController.class);
    private static final Pattern MODEL_PATH =
            Pattern.compile("/v2/models/([^/]+)(?:/versions/([^/]+))?(/ready|/infer)?/?");

    private final LossRegistry registry;
    private final LossExecutor executor;
    private final ApplicationAvailability availability;
    private final ProtocolMetadata.Server serverMetadata;
    private final LossMetrics metrics;
    private final InferenceRequestReader reader;
    private final long maxOutputElements;

    InferenceController(LossRegistry registry, LossExecutor executor, ApplicationAvailability availability,
            LimitsProperties limits, LossMetrics metrics,
            @Value("${spring.application.name:loss-service}") String name,
            @Value("${loss.inference.server-version:unknown}") String version) {
        this.registry = registry;
        this.executor = executor;
        this.availability = availability;
        this.metrics = metrics;
        this.reader = new InferenceRequestReader(limits);
        this.maxOutputElements = limits.maxOutputElements();
        this.serverMetadata = new ProtocolMetadata.Server(name, version,
                List.of("binary_tensor_data", "model_repository"));
    }

    @GetMapping(path = "/v2", produces = MediaType.APPLICATION_JSON_VALUE)
    ProtocolMetadata.Server serverMetadata() {
        return serverMetadata;
    }

    @GetMapping("/v2/health/live")
    ResponseEntity<Void> live() {
        return ResponseEntity.ok().build();
    }

    @GetMapping("/v2/health/ready")
    ResponseEntity<Void> serverReady() {
        return readiness();
    }

    @GetMapping(path = {"/v2/models/{model}", "/v2/models/{model}/versions/{version}"},
            produces = MediaType.APPLICATION_JSON_VALUE)
    ProtocolMetadata.Model modelMetadata(@PathVariable String model,
            @PathVariable(required = false) String version) {
        return ProtocolMetadata.model(find(model, version));
    }

    @GetMapping({"/v2/models/{model}/ready", "/v2/models/{model}/versions/{version}/ready"})
    ResponseEntity<Void> modelReady(@PathVariable String model, @PathVariable(required = false) String version) {
        find(model, version);
        return readiness();
    }

    /** The repository extension: every loss is a model, READY once the service is. */
    @PostMapping(path = "/v2/repository/index", produces = MediaType.APPLICATION_JSON_VALUE)
    List<ProtocolMetadata.RepositoryModel> repositoryIndex() {
        String state = isReady() ? "READY" : "UNAVAILABLE";
        return registry.all().stream()
                .map(definition -> new ProtocolMetadata.RepositoryModel(definition.name(), ProtocolMetadata.VERSION,
                        state))
                .toList();
    }

    @PostMapping({"/v2/models/{model}/infer", "/v2/models/{model}/versions/{version}/infer"})
    void infer(@PathVariable String model, @PathVariable(required = false) String version,
            HttpServletRequest request, HttpServletResponse response) throws IOException {
        LossDefinition definition = find(model, version);
        // The request limits have inflated a compressed body already: its length is the decoded one.
        InferenceRequest inference = reader.read(request.getInputStream(), request.getContentLengthLong(),
                request.getHeader(InferenceRequestReader.HEADER_LENGTH), definition.signature().inputs().size(),
                definition.name(), ProtocolMetadata.VERSION);
        ModelCalls.Call call = ModelCalls.toCall(definition, inference, maxOutputElements);
        LossResult result = executor.execute(definition, call.call(), PROTOCOL);
        InferenceResponseWriter.Response body = new InferenceResponseWriter.Response(inference.id(),
                definition.name(), ProtocolMetadata.VERSION, ModelCalls.outputs(call, result));

        response.setStatus(HttpServletResponse.SC_OK);
        if (body.hasBinary()) {
            // A small JSON part is written once and held; a large one is counted first, then streamed.
            byte[] json = body.smallJson();
            long jsonLength = json != null ? json.length : body.jsonLength();
            response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
            response.setHeader(InferenceRequestReader.HEADER_LENGTH, String.valueOf(jsonLength));
            response.setContentLengthLong(jsonLength + body.binaryLength());
            OutputStream out = response.getOutputStream();
            if (json != null) {
                out.write(json);
            } else {
                body.writeJson(out);
            }
            body.writeBinary(out);
        } else {
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            ResponseBodyOutput json = ResponseBodyOutput.of(response);
            body.writeJson(json);
            json.finish();
        }
    }

    /** Every other path under /v2: an unknown model or version, a wrong method, or nothing at all. */
    @RequestMapping("/v2/**")
    ResponseEntity<byte[]> otherV2Paths(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        Matcher model = MODEL_PATH.matcher(path);
        if (model.matches()) {
            find(model.group(1), model.group(2));
        }
        String allowed = model.matches() ? ("/infer".equals(model.group(3)) ? "POST" : "GET")
                : path.matches("/v2/?|/v2/health/(live|ready)") ? "GET"
                : path.matches("/v2/repository/index/?") ? "POST" : null;
        if (allowed == null) {
            return error(HttpStatus.NOT_FOUND, "There is no Open Inference Protocol endpoint at " + path + ".");
        }
        String method = request.getMethod();
        if (method.equals(allowed) || ("HEAD".equals(method) && "GET".equals(allowed))) {
            // The endpoint exists and the method is right: only its produces (JSON) did not match the Accept.
            return error(HttpStatus.NOT_ACCEPTABLE, "The answer of " + path + " is application/json, which the"
                    + " Accept header does not allow.");
        }
        return ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED).header(HttpHeaders.ALLOW, allowed)
                .contentType(MediaType.APPLICATION_JSON)
                .body(InferenceResponseWriter.error(request.getMethod() + " is not allowed on " + path
                        + "; use " + allowed + "."));
    }

    /** The loss served as this model, or a 404 for an unknown model or version. */
    private LossDefinition find(String model, String version) {
        LossDefinition definition = registry.find(model);
        if (definition == null) {
            throw new InferenceException(HttpStatus.NOT_FOUND, "Unknown model \"" + abbreviate(model)
                    + "\"; the models are " + String.join(", ", registry.all().stream().map(LossDefinition::name)
                    .toList()) + ".");
        }
        if (version != null && !version.equals(ProtocolMetadata.VERSION)) {
            throw new InferenceException(HttpStatus.NOT_FOUND, "Model \"" + model + "\" has no version \""
                    + abbreviate(version) + "\"; its version is " + ProtocolMetadata.VERSION + ".");
        }
        return definition;
    }

    // ---- errors, as {"error": "..."}: every rule a request breaks is a 400, as V2 clients expect -----------------

    @ExceptionHandler(InferenceException.class)
    ResponseEntity<byte[]> refused(InferenceException e) {
        if (e.status().is4xxClientError() && e.status() != HttpStatus.NOT_FOUND) {
            metrics.rejected(Rejection.INVALID_REQUEST, PROTOCOL);
        }
        return error(e.status(), e.getMessage());
    }

    @ExceptionHandler(InvalidRequestException.class)
    ResponseEntity<byte[]> invalid(InvalidRequestException e) {
        metrics.rejected(Rejection.INVALID_REQUEST, PROTOCOL);
        return error(HttpStatus.BAD_REQUEST, ModelCalls.describe(e));
    }

    @ExceptionHandler(MalformedRequestException.class)
    ResponseEntity<byte[]> malformed(MalformedRequestException e) {
        metrics.rejected(Rejection.MALFORMED_JSON, PROTOCOL);
        return error(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    /** Valid inputs whose result is not finite in the precision: the same kind of error as on /v1, a client's. */
    @ExceptionHandler(ResultOutOfRangeException.class)
    ResponseEntity<byte[]> outOfRange(ResultOutOfRangeException e) {
        metrics.rejected(Rejection.RESULT_OUT_OF_RANGE, PROTOCOL);
        return error(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    // The request limits met after the filter (a chunked body passing the size limit, the deadline, no place for
    // the computation): the status is the limit's own (its ProblemType's), the body the protocol's.

    @ExceptionHandler(PayloadTooLargeException.class)
    ResponseEntity<byte[]> payloadTooLarge(PayloadTooLargeException e) {
        metrics.rejected(Rejection.PAYLOAD_TOO_LARGE, PROTOCOL);
        return limitError(ProblemType.PAYLOAD_TOO_LARGE, e.getMessage(), new HttpHeaders());
    }

    @ExceptionHandler(DeadlineExceededException.class)
    ResponseEntity<byte[]> deadlineExceeded(DeadlineExceededException e) {
        metrics.rejected(Rejection.DEADLINE_EXCEEDED, PROTOCOL);
        return limitError(ProblemType.DEADLINE_EXCEEDED, e.getMessage(), new HttpHeaders());
    }

    @ExceptionHandler(OverloadedException.class)
    ResponseEntity<byte[]> overloaded(OverloadedException e) {
        metrics.rejected(Rejection.OVERLOADED, PROTOCOL);
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
        if (ClientDisconnects.isClientGone(e)) {
            log.debug("The client of {} {} went away before its answer was written: {}", request.getMethod(),
                    request.getRequestURI(), e.toString());
            return null;
        }
        log.error("Unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
        return error(HttpStatus.INTERNAL_SERVER_ERROR, "The service failed to handle the request.");
    }

    private static ResponseEntity<byte[]> error(HttpStatus status, String message) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body(InferenceResponseWriter.error(message));
    }

    private ResponseEntity<Void> readiness() {
        return isReady() ? ResponseEntity.ok().build() : ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).build();
    }

    private boolean isReady() {
        return availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
