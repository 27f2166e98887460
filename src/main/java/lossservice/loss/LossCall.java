package lossservice.loss;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One validated request to a loss, whatever the transport it came by: the input tensors and scalar parameters
 * by the names the loss declared, the precision, the reduction and the outputs to compute. Every rule of the
 * loss's signature holds; inputs are in the precision (REAL) or int64 (INDEX).
 */
public final class LossCall {

    private final DType dtype;
    private final Reduction reduction;
    private final Map<String, Tensor> inputs;
    private final Map<String, Object> scalars;
    private final Set<String> outputs;

    public LossCall(DType dtype, Reduction reduction, Map<String, Tensor> inputs, Map<String, Object> scalars,
            Set<String> outputs) {
        this.dtype = dtype;
        this.reduction = reduction;
        this.inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        this.scalars = Collections.unmodifiableMap(new LinkedHashMap<>(scalars));
        this.outputs = Set.copyOf(outputs);
    }

    /** The precision of the computation, and of every REAL input. */
    public DType dtype() {
        return dtype;
    }

    public Reduction reduction() {
        return reduction;
    }

    /** The input tensor, or null when an optional one was not sent. */
    public Tensor input(String name) {
        return inputs.get(name);
    }

    public Map<String, Tensor> inputs() {
        return inputs;
    }

    /** A NUMBER parameter, its default when not sent. */
    public double number(String name) {
        return ((Number) scalars.get(name)).doubleValue();
    }

    /** An INTEGER parameter, or null when it was not sent and has no default. */
    public Long integer(String name) {
        return (Long) scalars.get(name);
    }

    /** A BOOLEAN parameter, its default when not sent. */
    public boolean flag(String name) {
        return (Boolean) scalars.get(name);
    }

    /** Every scalar parameter by name (defaults included; a parameter without default and not sent is absent). */
    public Map<String, Object> scalars() {
        return scalars;
    }

    /** Whether the output is to be computed (asked for, or the unreduced result of reduction none). */
    public boolean wants(String output) {
        return outputs.contains(output);
    }

    public Set<String> outputs() {
        return outputs;
    }
}
