package lossservice.inference;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import lossservice.loss.CallBinder;
import lossservice.loss.DType;
import lossservice.loss.InputSpec;
import lossservice.loss.LossCall;
import lossservice.loss.LossDefinition;
import lossservice.loss.LossResult;
import lossservice.loss.OutputSpec;
import lossservice.loss.RawArray;
import lossservice.loss.RawRequest;
import lossservice.loss.RawScalar;
import lossservice.loss.ScalarSpec;
import lossservice.loss.Signature;
import lossservice.loss.Tensor;
import lossservice.problem.InvalidRequestException;
import lossservice.problem.Violation;
import lossservice.problem.Violations;

/**
 * The mechanical mapping between the Open Inference Protocol and a loss's signature, the same for every loss:
 * each input array is an input tensor named in snake_case ({@code class_weights}), each scalar a request parameter
 * in snake_case ({@code ignore_index}), each optional output an output in snake_case plus {@code loss}, all of them
 * when the request names none. The precision is the {@code dtype} parameter when given, else the datatype of the
 * loss's first input (FP64 computes in float64). Validation is the loss's, through {@link CallBinder}; its
 * pointers into the JSON form are translated into the protocol's names for the {@code {"error"}} message.
 */
public final class ModelCalls {

    static final String DTYPE_PARAMETER = "dtype";
    static final String REDUCTION_PARAMETER = "reduction";

    /** An output to send, and whether as binary data. */
    public record Selected(String name, String tensorName, boolean binary) {
    }

    /** A validated call and the outputs to send, in order. */
    public record Call(LossCall call, List<Selected> outputs) {
    }

    private ModelCalls() {
    }

    public static Call toCall(LossDefinition definition, InferenceRequest request, long maxOutputElements) {
        Signature signature = definition.signature();
        Violations violations = new Violations();
        violations.addAll(request.dataViolations());
        RawRequest raw = new RawRequest();
        for (InputTensor input : request.inputs()) {
            String at = "/inputs/" + input.index() + "/name";
            InputSpec spec = signature.inputByTensorName(input.name());
            if (spec == null) {
                violations.add(at, "unknown input \"" + input.name() + "\"; the inputs of " + definition.name()
                        + " are " + String.join(", ", signature.inputs().stream().map(InputSpec::tensorName).toList()));
            } else if (raw.arrays.containsKey(spec.name())) {
                violations.add(at, "input \"" + input.name() + "\" is given more than once");
            } else {
                raw.arrays.put(spec.name(), RawArray.ofTensor("/" + spec.name(), input.values()));
            }
        }
        for (Map.Entry<String, RawScalar> parameter : request.parameters().entrySet()) {
            String name = parameter.getKey();
            ScalarSpec spec = signature.scalarByParameterName(name);
            boolean useDefault = parameter.getValue().isNull(); // null means the default, as on /v1
            if (spec != null) {
                if (!useDefault) {
                    raw.scalars.put(spec.name(), parameter.getValue());
                }
            } else if (name.equals(REDUCTION_PARAMETER)) {
                raw.reduction = useDefault ? null : parameter.getValue();
            } else if (!name.equals(DTYPE_PARAMETER)) {
                violations.add("/parameters/" + name, "unknown parameter; the parameters of " + definition.name()
                        + " are " + String.join(", ", parameterNames(signature)));
            }
        }
        raw.dtype = precision(signature, request, raw, violations);
        List<Selected> outputs = selectOutputs(definition, request, violations);
        Set<String> wanted = new LinkedHashSet<>();
        for (Selected selected : outputs) {
            if (!selected.name().equals(Signature.LOSS)) {
                wanted.add(selected.name());
            }
        }
        raw.outputs = wanted;
        try {
            return new Call(CallBinder.bind(definition, raw, maxOutputElements, violations), outputs);
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException(e.violations().stream()
                    .map(violation -> new Violation(protocolPointer(signature, violation.pointer()),
                            violation.message()))
                    .toList(), e.omitted());
        }
    }

    /**
     * Every violation of an invalid request in one message, in the protocol's words ({@link #protocolPointer}): what
     * the HTTP form sends as {@code {"error"}} and the gRPC form as an INVALID_ARGUMENT's description.
     */
    public static String describe(InvalidRequestException e) {
        return describe(e, Integer.MAX_VALUE);
    }

    /**
     * The violations as one message of at most about {@code maxLength} characters: whole violations while they fit,
     * then how many more there are (a gRPC status message travels in a trailer, which clients limit to 8 KiB).
     */
    public static String describe(InvalidRequestException e, int maxLength) {
        List<Violation> violations = e.violations();
        int count = violations.size() + e.omitted();
        StringBuilder message = new StringBuilder(count == 1 ? "" : "The request breaks " + count + " rules: ");
        int described = 0;
        for (Violation violation : violations) {
            String text = (violation.pointer().isEmpty() ? "the request" : violation.pointer()) + ": "
                    + violation.message();
            if (described > 0 && message.length() + text.length() + 2 > maxLength) {
                break;
            }
            message.append(described == 0 ? "" : "; ").append(text);
            described++;
        }
        if (count > described) {
            message.append("; and ").append(count - described).append(" more");
        }
        return message.append('.').toString();
    }

    /** The result's tensors to send, in the order of the call's outputs; an undefined one has shape [0]. */
    public static List<OutputTensor> outputs(Call call, LossResult result) {
        DType dtype = call.call().dtype();
        List<OutputTensor> tensors = new ArrayList<>();
        for (Selected selected : call.outputs()) {
            Tensor tensor;
            if (selected.name().equals(Signature.LOSS)) {
                tensor = result.loss() == null ? Tensor.empty(dtype) : Tensor.scalar(dtype, result.loss());
            } else {
                Tensor computed = result.outputs().get(selected.name());
                tensor = computed == null ? Tensor.empty(dtype) : computed;
            }
            tensors.add(new OutputTensor(selected.tensorName(), tensor, selected.binary()));
        }
        return tensors;
    }

    /** The {@code dtype} parameter when given, else FP64 for an FP64 first input, else float32. */
    private static DType precision(Signature signature, InferenceRequest request, RawRequest raw,
            Violations violations) {
        RawScalar dtype = request.parameters().get(DTYPE_PARAMETER);
        if (dtype != null && !dtype.isNull()) {
            DType precision = dtype.value() instanceof String name ? DType.precision(name) : null;
            if (precision == null) {
                violations.add("/parameters/" + DTYPE_PARAMETER, "expected \"float32\" or \"float64\", found "
                        + dtype.description());
            }
            return precision;
        }
        for (InputTensor input : request.inputs()) {
            if (input.name().equals(signature.firstInput().tensorName())) {
                return input.datatype() == TensorDatatype.FP64 ? DType.FLOAT64 : DType.FLOAT32;
            }
        }
        return null;
    }

    private static List<Selected> selectOutputs(LossDefinition definition, InferenceRequest request,
            Violations violations) {
        Signature signature = definition.signature();
        List<Selected> selected = new ArrayList<>();
        if (request.outputs() == null || request.outputs().isEmpty()) {
            selected.add(new Selected(Signature.LOSS, Signature.LOSS, request.binaryDataOutput()));
            for (OutputSpec output : signature.outputs()) {
                selected.add(new Selected(output.name(), output.tensorName(), request.binaryDataOutput()));
            }
            return selected;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < request.outputs().size(); i++) {
            RequestedOutput requested = request.outputs().get(i);
            String name = Signature.LOSS;
            if (!requested.name().equals(Signature.LOSS)) {
                OutputSpec spec = signature.outputByTensorName(requested.name());
                name = spec == null ? null : spec.name();
            }
            String at = "/outputs/" + i + "/name";
            if (name == null) {
                violations.add(at, "unknown output \"" + requested.name() + "\"; the outputs of " + definition.name()
                        + " are " + String.join(", ", tensorOutputNames(signature)));
            } else if (!seen.add(name)) {
                violations.add(at, "output \"" + requested.name() + "\" is requested twice");
            } else {
                boolean binary = requested.binaryData() == null ? request.binaryDataOutput() : requested.binaryData();
                selected.add(new Selected(name, requested.name(), binary));
            }
        }
        return selected;
    }

    static List<String> tensorOutputNames(Signature signature) {
        List<String> names = new ArrayList<>();
        names.add(Signature.LOSS);
        signature.outputs().forEach(output -> names.add(output.tensorName()));
        return names;
    }

    private static List<String> parameterNames(Signature signature) {
        List<String> names = new ArrayList<>();
        signature.scalars().forEach(scalar -> names.add(scalar.parameterName()));
        names.add(REDUCTION_PARAMETER);
        names.add(DTYPE_PARAMETER);
        names.add("binary_data_output");
        return names;
    }

    /**
     * A pointer into the JSON form of a request ({@code /targets/1/2}, {@code /epsilon}, {@code /include}) in the
     * protocol's words ({@code input targets[1][2]}, {@code parameter epsilon}, {@code outputs}); pointers into
     * the protocol's own document ({@code /inputs/0/shape}) stay as they are.
     */
    static String protocolPointer(Signature signature, String pointer) {
        if (pointer.isEmpty()) {
            return pointer;
        }
        String[] segments = pointer.substring(1).split("/", -1);
        String field = segments[0];
        InputSpec input = signature.input(field);
        if (input != null) {
            StringBuilder described = new StringBuilder("input ").append(input.tensorName());
            for (int i = 1; i < segments.length; i++) {
                described.append('[').append(segments[i]).append(']');
            }
            return described.toString();
        }
        ScalarSpec scalar = signature.scalar(field);
        if (scalar != null) {
            return "parameter " + scalar.parameterName();
        }
        return switch (field) {
            case Signature.REDUCTION -> "parameter " + REDUCTION_PARAMETER;
            case Signature.DTYPE -> "parameter " + DTYPE_PARAMETER;
            case Signature.INCLUDE -> "outputs";
            default -> pointer;
        };
    }
}
