package lossservice.loss;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a loss computed: the reduced loss (null for reduction none and for an undefined mean), each output that was
 * asked for (a null tensor when it is undefined, such as the gradient of an undefined mean), and the values the
 * response repeats besides the scalars (set by the definition, e.g. the batch size).
 */
public final class LossResult {

    private final Double loss;
    private final Map<String, Tensor> outputs = new LinkedHashMap<>();

    public LossResult(Double loss) {
        this.loss = loss;
    }

    /** Adds an output; null stands for an undefined one. */
    public LossResult output(String name, Tensor tensor) {
        outputs.put(name, tensor);
        return this;
    }

    public Double loss() {
        return loss;
    }

    /** The outputs in the order they were added. */
    public Map<String, Tensor> outputs() {
        return Collections.unmodifiableMap(outputs);
    }

    /** Whether the loss and every output are finite once in {@code dtype} (an undefined value counts as finite). */
    public boolean allFinite(DType dtype) {
        if (loss != null && !(dtype == DType.FLOAT32 ? Float.isFinite((float) (double) loss) : Double.isFinite(loss))) {
            return false;
        }
        for (Tensor tensor : outputs.values()) {
            if (tensor != null && !tensor.allFinite()) {
                return false;
            }
        }
        return true;
    }
}
