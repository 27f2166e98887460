package lossservice.bench;

import java.io.OutputStream;

import lossservice.compute.Scratch;
import lossservice.loss.LossCall;
import lossservice.loss.LossDefinition;
import lossservice.loss.LossResult;
import lossservice.rest.LocalEndpoint;
import lossservice.serving.LossExecutor;

import org.nd4j.linalg.api.memory.MemoryWorkspace;

/**
 * One loss served as {@code POST /v1/losses/{name}} serves it, without HTTP, in the steps the benchmarks time
 * separately: {@link #bind} (the JSON reader and the binder, validation included), {@link #compute} (the
 * definition's ND4J computation alone, on this harness's {@link Scratch} inside its workspace, as a compute
 * worker runs it), {@link #encode} (the JSON writer) and {@link #serve} (the three in a row, with the executor's
 * finiteness check). Works for any {@link LossDefinition}; one harness per benchmark thread, closed at tear-down.
 */
public final class LossHarness implements AutoCloseable {

    private final LossDefinition definition;
    private final LocalEndpoint endpoint;
    private final Scratch scratch = new Scratch();

    public LossHarness(LossDefinition definition) {
        this.definition = definition;
        this.endpoint = new LocalEndpoint(definition);
    }

    public LossDefinition definition() {
        return definition;
    }

    /** Request bytes (UTF-8 JSON, in memory) to the validated call; throws as the endpoint would. */
    public LossCall bind(byte[] body) {
        return endpoint.bind(body);
    }

    /** {@code definition.compute(call, scratch)} inside {@code scratch.openWorkspace()}: the ND4J computation. */
    public LossResult compute(LossCall call) {
        try (MemoryWorkspace ignored = scratch.openWorkspace()) {
            return definition.compute(call, scratch);
        }
    }

    /** {@link #compute}, then refused when not finite, as {@link LossExecutor} does. */
    public LossResult computeChecked(LossCall call) {
        LossResult result = compute(call);
        LossExecutor.requireFinite(result, call);
        return result;
    }

    /** The JSON response of a computed call, streamed to {@code out}. */
    public void encode(LossCall call, LossResult result, OutputStream out) {
        endpoint.write(call, result, out);
    }

    /** Bind, compute (checked) and encode, back to back: what a request costs besides HTTP and the compute pool. */
    public void serve(byte[] body, OutputStream out) {
        LossCall call = bind(body);
        encode(call, computeChecked(call), out);
    }

    @Override
    public void close() {
        scratch.close();
        endpoint.close();
    }
}
