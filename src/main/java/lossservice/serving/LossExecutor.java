package lossservice.serving;

import java.util.function.Function;

import lossservice.backend.ActiveBackend;
import lossservice.compute.ComputePool;
import lossservice.compute.Deadline;
import lossservice.compute.Scratch;
import lossservice.loss.LossCall;
import lossservice.loss.LossDefinition;
import lossservice.loss.LossRegistry;
import lossservice.loss.LossResult;
import lossservice.metrics.LossMetrics;
import lossservice.problem.ResultOutOfRangeException;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.springframework.stereotype.Component;

/**
 * Runs a validated call of any loss, for every transport: on a compute worker with its scratch memory and within
 * the request's deadline ({@link ComputePool}), timed in {@code loss_computation_seconds{loss, protocol, backend}},
 * and refused with {@link ResultOutOfRangeException} when a number would not be finite in the call's precision
 * (no response ever holds NaN or an infinity).
 */
@Component
public class LossExecutor {

    private final ComputePool computePool;
    private final LossMetrics metrics;
    private final String backend;

    /** The backend is warmed up in its constructor: depending on it means computing only once it is ready. */
    LossExecutor(ComputePool computePool, LossMetrics metrics, ActiveBackend backend, LossRegistry registry) {
        this.computePool = computePool;
        this.metrics = metrics;
        this.backend = backend.kind().wireName();
        for (LossDefinition definition : registry.all()) {
            for (String protocol : LossMetrics.PROTOCOLS) {
                metrics.register(definition.name(), protocol);
            }
        }
    }

    /** Computes a call within the deadline of the request the calling thread serves. */
    public LossResult execute(LossDefinition definition, LossCall call, String protocol) {
        return execute(definition, call, protocol, null);
    }

    /** Computes a call within {@code deadline} (null: that of the request the calling thread serves). */
    public LossResult execute(LossDefinition definition, LossCall call, String protocol, Deadline deadline) {
        Function<Scratch, LossResult> computation = computation(definition, call, protocol);
        return deadline == null ? computePool.compute(computation) : computePool.compute(deadline, computation);
    }

    /**
     * Computes a small call on the calling thread when a scratch for that is free now, for a caller that must not
     * wait ({@link ComputePool#tryComputeHere}); null, without computing, otherwise. Timed and checked as
     * {@link #execute}.
     */
    public LossResult tryExecuteHere(LossDefinition definition, LossCall call, String protocol) {
        return computePool.tryComputeHere(computation(definition, call, protocol));
    }

    private Function<Scratch, LossResult> computation(LossDefinition definition, LossCall call, String protocol) {
        long elements = call.input(definition.signature().firstInput().name()).size();
        return scratch -> {
            LossResult computed = metrics.computation(definition.name(), protocol, elements, () -> {
                try (MemoryWorkspace ignored = scratch.openWorkspace()) {
                    return definition.compute(call, scratch);
                }
            });
            // Checked on the thread that wrote the result, while it is in that core's cache: on the request's thread
            // the same pass read it from the other core's (0.3 ms for the 1 MB gradient of a 256 x 1000 call).
            requireFinite(computed, call);
            return computed;
        };
    }

    /** JSON has no NaN or infinity: a result that overflows its precision is refused rather than sent. */
    public static void requireFinite(LossResult result, LossCall call) {
        if (!result.allFinite(call.dtype())) {
            throw new ResultOutOfRangeException("The result overflows " + call.dtype().wireName() + ": the inputs"
                    + " are too large for the loss to be represented.");
        }
    }

    /** The ND4J backend that computes every result ("cpu" or "cuda"). */
    public String backend() {
        return backend;
    }
}
