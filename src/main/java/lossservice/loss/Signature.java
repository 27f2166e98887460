package lossservice.loss;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Everything a loss accepts and returns: its input tensors (in an order where each comes after the inputs its
 * shape refers to), its scalar parameters, its reductions and its optional outputs. Validation, both transports,
 * the catalogue, the OpenAPI document and the protocol's metadata are all derived from it.
 */
public record Signature(List<InputSpec> inputs, List<ScalarSpec> scalars, List<Reduction> reductions,
                        Reduction defaultReduction, List<OutputSpec> outputs) {

    /** The request fields every loss has besides its inputs and scalars. */
    public static final String REDUCTION = "reduction";
    public static final String INCLUDE = "include";
    public static final String DTYPE = "dtype";
    public static final List<String> COMMON_FIELDS = List.of(REDUCTION, INCLUDE, DTYPE);
    /** The name of the loss output on the protocol. */
    public static final String LOSS = "loss";

    public Signature {
        inputs = List.copyOf(inputs);
        scalars = List.copyOf(scalars);
        reductions = List.copyOf(reductions);
        outputs = List.copyOf(outputs);
        Set<String> declared = new HashSet<>();
        for (InputSpec input : inputs) {
            if (!declared.containsAll(input.references())) {
                throw new IllegalArgumentException("input " + input.name() + " refers to an input declared after it");
            }
            declared.add(input.name());
        }
        if (!reductions.contains(defaultReduction)) {
            throw new IllegalArgumentException("the default reduction is not one of the reductions");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public InputSpec input(String name) {
        return find(inputs, InputSpec::name, name);
    }

    public ScalarSpec scalar(String name) {
        return find(scalars, ScalarSpec::name, name);
    }

    public OutputSpec output(String name) {
        return find(outputs, OutputSpec::name, name);
    }

    /** The input named {@code tensorName} on the Open Inference Protocol, or null. */
    public InputSpec inputByTensorName(String tensorName) {
        return find(inputs, InputSpec::tensorName, tensorName);
    }

    /** The scalar sent as the protocol's parameter {@code parameterName}, or null. */
    public ScalarSpec scalarByParameterName(String parameterName) {
        return find(scalars, ScalarSpec::parameterName, parameterName);
    }

    /** The output named {@code tensorName} on the Open Inference Protocol, or null. */
    public OutputSpec outputByTensorName(String tensorName) {
        return find(outputs, OutputSpec::tensorName, tensorName);
    }

    /** The spec whose {@code key} is {@code value}, or null: a loop, not a stream, asked several times per request. */
    private static <T> T find(List<T> specs, Function<T, String> key, String value) {
        for (T spec : specs) {
            if (key.apply(spec).equals(value)) {
                return spec;
            }
        }
        return null;
    }

    /** The input whose datatype decides the precision on the protocol, and whose shape responses echo. */
    public InputSpec firstInput() {
        return inputs.get(0);
    }

    /** The outputs a request that does not say is given. */
    public Set<String> defaultOutputs() {
        Set<String> names = new LinkedHashSet<>();
        for (OutputSpec output : outputs) {
            if (output.byDefault()) {
                names.add(output.name());
            }
        }
        return names;
    }

    /** The outputs to compute: those asked for (in declaration order), plus the unreduced ones for "none". */
    public Set<String> outputsFor(Set<String> requested, Reduction reduction) {
        Set<String> names = new LinkedHashSet<>();
        for (OutputSpec output : outputs) {
            if (requested.contains(output.name()) || reduction == Reduction.NONE && output.unreduced()) {
                names.add(output.name());
            }
        }
        return names;
    }

    /** Every field of a JSON request, in a readable order. */
    public List<String> fieldNames() {
        List<String> names = new ArrayList<>();
        inputs.forEach(input -> names.add(input.name()));
        scalars.forEach(scalar -> names.add(scalar.name()));
        names.addAll(COMMON_FIELDS);
        return names;
    }

    public List<String> reductionNames() {
        return reductions.stream().map(Reduction::wireName).toList();
    }

    public List<String> outputNames() {
        return outputs.stream().map(OutputSpec::name).toList();
    }

    /** Builds a signature in declaration order. */
    public static final class Builder {

        private final List<InputSpec> inputs = new ArrayList<>();
        private final List<ScalarSpec> scalars = new ArrayList<>();
        private final List<OutputSpec> outputs = new ArrayList<>();
        private List<Reduction> reductions = List.of(Reduction.MEAN, Reduction.SUM, Reduction.NONE);
        private Reduction defaultReduction = Reduction.MEAN;

        public Builder input(InputSpec input) {
            inputs.add(input);
            return this;
        }

        public Builder scalar(ScalarSpec scalar) {
            scalars.add(scalar);
            return this;
        }

        public Builder output(OutputSpec output) {
            outputs.add(output);
            return this;
        }

        /** The reductions accepted and the default (mean, sum and none with mean by default, unless set). */
        public Builder reductions(Reduction defaultReduction, Reduction... others) {
            List<Reduction> all = new ArrayList<>();
            all.add(defaultReduction);
            all.addAll(List.of(others));
            this.reductions = all;
            this.defaultReduction = defaultReduction;
            return this;
        }

        public Signature build() {
            return new Signature(inputs, scalars, reductions, defaultReduction, outputs);
        }
    }
}
