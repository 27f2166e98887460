package lossservice.loss;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import lossservice.compute.Scratch;
import lossservice.problem.Violations;

/**
 * A loss, defined once: its name, its signature, the rules its signature cannot say, its computation and its
 * documentation. Each is a Spring bean; the {@link LossRegistry} collects them, and every transport serves every
 * one of them through its signature alone.
 */
public interface LossDefinition {

    /** The path segment ({@code /v1/losses/{name}}) and the protocol's model name, e.g. {@code cross-entropy}. */
    String name();

    /** A short title, e.g. "Cross-entropy loss with label smoothing". */
    String title();

    /** What it computes, in Markdown, for the OpenAPI document and the catalogue. */
    String description();

    /** The PyTorch (or torchvision) expression the results equal. */
    String reference();

    Signature signature();

    /**
     * Rules that relate inputs and parameters beyond what the signature says (class indices in range, ...),
     * reported into {@code violations} with JSON pointers into the JSON form of the request. Called once every
     * required input has its shape (an optional input without one is absent from the call), also when values broke
     * a rule of their input: those were reported, hold 0 here, and the call is not computed.
     */
    default void validate(LossCall call, Violations violations) {
    }

    /**
     * Computes the loss and the outputs the call wants, on a compute worker with its scratch memory. Outputs
     * have the shapes the signature gives them, in the call's precision.
     */
    LossResult compute(LossCall call, Scratch scratch);

    /**
     * The fields of {@link #echoes} with their types, for documents: by default the echoed scalars of the signature.
     */
    default List<ScalarSpec> echoFields() {
        return signature().scalars().stream().filter(ScalarSpec::echoed).toList();
    }

    /**
     * The values the response repeats besides {@code shape}, {@code dtype}, {@code reduction} and {@code backend}:
     * by default every echoed scalar as used, defaults included.
     */
    default Map<String, Object> echoes(LossCall call) {
        Map<String, Object> echoes = new LinkedHashMap<>();
        for (ScalarSpec scalar : signature().scalars()) {
            if (scalar.echoed() && call.scalars().containsKey(scalar.name())) {
                echoes.put(scalar.name(), call.scalars().get(scalar.name()));
            }
        }
        return echoes;
    }

    /** Requests for the documents, the first of them the one Swagger UI shows first. */
    List<Example> examples();
}
