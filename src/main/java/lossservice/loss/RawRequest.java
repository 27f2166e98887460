package lossservice.loss;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A request as a transport read it: the arrays and scalars by their JSON names, and the request-wide choices.
 * {@link CallBinder} checks it against a loss's signature.
 */
public final class RawRequest {

    /** The arrays by input name, in the order they were read. */
    public final Map<String, RawArray> arrays = new LinkedHashMap<>();
    /** The scalars by parameter name; absent or null means the default. */
    public final Map<String, RawScalar> scalars = new LinkedHashMap<>();
    /** The reduction as sent, or null for the default. */
    public RawScalar reduction;
    /** The outputs asked for (names the signature knows), or null for the default ones. */
    public Set<String> outputs;
    /** The precision, or null for float32. */
    public DType dtype;
}
