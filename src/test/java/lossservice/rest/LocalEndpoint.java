package lossservice.rest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import lossservice.compute.Scratch;
import lossservice.limits.LimitsProperties;
import lossservice.loss.CallBinder;
import lossservice.loss.LossCall;
import lossservice.loss.LossDefinition;
import lossservice.loss.LossResult;
import lossservice.loss.RawRequest;
import lossservice.problem.Violations;
import lossservice.serving.LossExecutor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.nd4j.linalg.api.memory.MemoryWorkspace;

/**
 * The JSON endpoint of a loss without HTTP, for the tests of a loss's rules and maths: the same reader, binder,
 * finiteness check and writer as {@code POST /v1/losses/{name}}, computing on the calling thread with one
 * {@link Scratch} kept for the life of this object (as a compute worker keeps its own).
 */
public final class LocalEndpoint implements AutoCloseable {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final LossDefinition definition;
    private final JsonCallReader reader;
    private final long maxOutputElements;
    private final Scratch scratch = new Scratch();

    public LocalEndpoint(LossDefinition definition) {
        this(definition, LimitsProperties.defaults());
    }

    public LocalEndpoint(LossDefinition definition, LimitsProperties limits) {
        this.definition = definition;
        this.reader = new JsonCallReader(limits);
        this.maxOutputElements = limits.maxOutputElements();
    }

    /** The validated call for this body; throws as the endpoint would (invalid or malformed request). */
    public LossCall bind(String body) {
        return bind(body.getBytes(StandardCharsets.UTF_8));
    }

    /** The validated call for this body (UTF-8 JSON bytes, read from memory as the endpoint reads its stream). */
    public LossCall bind(byte[] body) {
        Violations violations = new Violations();
        RawRequest raw = reader.read(definition, new ByteArrayInputStream(body), violations);
        return CallBinder.bind(definition, raw, maxOutputElements, violations);
    }

    /** The result of a call, checked as the executor checks it. */
    public LossResult compute(LossCall call) {
        LossResult result;
        try (MemoryWorkspace ignored = scratch.openWorkspace()) {
            result = definition.compute(call, scratch);
        }
        LossExecutor.requireFinite(result, call);
        return result;
    }

    /** The JSON response the endpoint gives this body. */
    public JsonNode post(String body) {
        LossCall call = bind(body);
        LossResult result = compute(call);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(call, result, out);
        return JSON.readTree(out.toByteArray());
    }

    /** Writes the JSON response of a computed call to {@code out}, as the endpoint streams it (backend "cpu"). */
    public void write(LossCall call, LossResult result, OutputStream out) {
        JsonResultWriter.write(out, call, result, definition.echoes(call), "cpu",
                call.input(definition.signature().firstInput().name()).shape());
    }

    @Override
    public void close() {
        scratch.close();
    }
}
