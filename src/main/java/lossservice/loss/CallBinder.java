package lossservice.loss;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

import lossservice.json.JsonPointers;
import lossservice.problem.Violations;

/**
 * The one validator of every loss on every transport: checks what a transport read ({@link RawRequest}) against
 * a loss's {@link Signature}, then the loss's own rules, and makes the {@link LossCall}, or throws
 * {@code InvalidRequestException} with every violation, each at its pointer into the JSON form of the request
 * (transports that speak another form translate the pointers).
 */
public final class CallBinder {

    private CallBinder() {
    }

    /**
     * @param maxOutputElements  the most numbers the requested outputs may hold together ({@code /include})
     */
    public static LossCall bind(LossDefinition definition, RawRequest raw, long maxOutputElements,
            Violations violations) {
        Signature signature = definition.signature();
        DType dtype = raw.dtype == null ? DType.FLOAT32 : raw.dtype;

        Map<String, int[]> known = new HashMap<>();
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        boolean swapped = reportedSwapped(signature, raw, violations);
        boolean inputsUsable = !swapped;
        for (InputSpec spec : signature.inputs()) {
            RawArray array = raw.arrays.get(spec.name());
            String pointer = "/" + spec.name();
            if (swapped && spec == signature.firstInput()) {
                continue;
            }
            if (array == null) {
                if (spec.required()) {
                    violations.add(pointer, "is required: " + spec.describeForms(known));
                    inputsUsable = false;
                }
                continue;
            }
            if (array.notAnArray() != null) {
                violations.add(pointer, "expected " + spec.describeForms(known) + ", found " + array.notAnArray()
                        + (array.notAnArray().startsWith("the number") ? ": even one value is an array ([...])" : ""));
                inputsUsable &= !spec.required();
                continue;
            }
            Tensor tensor = array.usable() && spec.references().stream().allMatch(known::containsKey)
                    ? bindInput(spec, array, dtype, known, violations) : null;
            if (tensor == null) {
                // An optional input that failed is left out, so that the loss's own rules are still checked.
                inputsUsable &= !spec.required();
            } else {
                known.put(spec.name(), tensor.shape());
                inputs.put(spec.name(), tensor);
            }
        }

        Map<String, Object> scalars = new LinkedHashMap<>();
        for (ScalarSpec spec : signature.scalars()) {
            RawScalar value = raw.scalars.get(spec.name());
            Object bound = value == null ? null : bindScalar(spec, value, dtype, violations);
            Object used = bound != null ? bound : spec.defaultValue();
            if (used != null) {
                scalars.put(spec.name(), used);
            }
        }

        Reduction reduction = bindReduction(signature, raw.reduction, violations);
        Set<String> outputs = signature.outputsFor(raw.outputs == null ? signature.defaultOutputs() : raw.outputs,
                reduction);
        if (inputsUsable) {
            checkOutputSize(signature, outputs, known, maxOutputElements, violations);
        }

        LossCall call = new LossCall(dtype, reduction, inputs, scalars, outputs);
        if (inputsUsable) {
            definition.validate(call, violations);
        }
        violations.throwIfAny();
        return call;
    }

    /**
     * The first input with one dimension too few beside targets (an input of class indices that refers to it) with
     * one too many: the two were sent the wrong way round. Reported once, instead of a shape error on each.
     */
    private static boolean reportedSwapped(Signature signature, RawRequest raw, Violations violations) {
        InputSpec first = signature.firstInput();
        RawArray firstArray = raw.arrays.get(first.name());
        if (firstArray == null || !firstArray.usable() || firstArray.notAnArray() != null
                || firstArray.shape().length != 1 || first.forms().get(0).shape().check("", firstArray.shape(),
                Map.of(), null)) {
            return false;
        }
        for (InputSpec other : signature.inputs()) {
            RawArray array = raw.arrays.get(other.name());
            if (other.references().contains(first.name()) && other.accepts(InputSpec.Kind.INDEX) && array != null
                    && array.usable()
                    && array.notAnArray() == null && array.shape().length >= 2) {
                violations.add(firstArray.pointer(), "has 1 dimension while " + other.name() + " has "
                        + array.shape().length + ": are " + first.name() + " and " + other.name() + " swapped? "
                        + first.name() + " is " + first.forms().get(0).shape().describe() + ", " + other.name() + " "
                        + other.describeForms(Map.of()));
                return true;
            }
        }
        return false;
    }

    /**
     * How a JSON reader should read the array of {@code spec}, given the shapes of the inputs read so far: for the
     * depth at which its first number is found, the exact shape expected there, or null when none is.
     */
    public static IntFunction<int[]> readingShape(InputSpec spec, Map<String, int[]> known) {
        if (!spec.references().stream().allMatch(known::containsKey)) {
            return depth -> null;
        }
        return depth -> {
            InputSpec.Form form = spec.formFor(depth, known);
            if (form == null || !form.shape().readsAgainstExactShape()) {
                return null;
            }
            return form.shape().exactShape(known);
        };
    }

    /** Whether an array read for {@code spec} is usable as the reference of later inputs. */
    public static boolean usableShape(InputSpec spec, int[] shape, Map<String, int[]> known) {
        if (!spec.references().stream().allMatch(known::containsKey)) {
            return false;
        }
        InputSpec.Form form = spec.formFor(shape.length, known);
        return form != null && form.shape().check("", shape, known, null);
    }

    private static Tensor bindInput(InputSpec spec, RawArray array, DType dtype, Map<String, int[]> known,
            Violations violations) {
        String pointer = array.pointer();
        int[] shape = array.shape();
        if (shape.length == 0) {
            // A tensor of shape [] (the protocol's scalar); JSON cannot send one: a lone number is refused as it is read.
            violations.add(pointer, "expected " + spec.describeForms(known) + ", found a single number (shape []):"
                    + " even one value has a dimension (shape [1])");
            return null;
        }
        InputSpec.Form form = spec.formFor(shape.length, known);
        if (form == null) {
            violations.add(pointer, "expected " + spec.describeForms(known) + ", found an array of " + shape.length
                    + (shape.length == 1 ? " dimension" : " dimensions"));
            return null;
        }
        if (!form.shape().check(pointer, shape, known, violations)) {
            return null;
        }
        return form.kind() == InputSpec.Kind.INDEX ? indices(array, violations)
                : reals(array, dtype, form.values(), violations);
    }

    /**
     * Class indices: JSON integers, or an integer tensor. A tensor whose values break a rule is still returned (the
     * violations stop the call before any computation), so that the rules on the other inputs are checked too.
     */
    private static Tensor indices(RawArray array, Violations violations) {
        Tensor wire = array.tensor();
        if (wire != null) {
            if (wire.dtype() == DType.INT64) {
                return wire;
            }
            violations.add(array.pointer(), "class indices must be integers (INT64 or INT32), found "
                    + wire.dtype().protocolName());
            return null;
        }
        int size = array.size();
        Tensor indices = Tensor.allocate(DType.INT64, array.shape());
        for (int i = 0; i < size; i++) {
            double value = array.value(i);
            if (!Double.isFinite(value)) {
                continue; // not a number, or beyond float64: reported as it was read
            }
            if (!array.integral(i)) {
                violations.add(JsonPointers.ofElement(array.pointer(), array.shape(), i),
                        "a class index must be a JSON integer, found " + value);
            } else {
                indices.setLong(i, (long) value);
            }
        }
        return indices;
    }

    /**
     * Real numbers in the precision: finite there, and within {@code range} when it is given. Like {@link #indices},
     * the tensor is returned also when some of its values break a rule.
     */
    private static Tensor reals(RawArray array, DType dtype, Range range, Violations violations) {
        Tensor wire = array.tensor();
        if (wire != null && wire.dtype() == dtype && range == null && wire.allFinite()) {
            return wire; // binary data in the call's precision, every number finite: nothing to copy or report
        }
        Tensor reals = wire != null && wire.dtype() == dtype ? wire : Tensor.allocate(dtype, array.shape());
        boolean copy = reals != wire;
        int size = array.size();
        // The range's bounds unboxed once for the array (per element, the record's boxed bounds cost more than the
        // rest of this loop); its message is asked for only when a value is outside them.
        double low = range == null || range.min() == null ? Double.NEGATIVE_INFINITY : range.min();
        double high = range == null || range.max() == null ? Double.POSITIVE_INFINITY : range.max();
        boolean lowOpen = range != null && range.min() != null && !range.minInclusive();
        boolean highOpen = range != null && range.max() != null && !range.maxInclusive();
        for (int i = 0; i < size; i++) {
            double value = array.value(i);
            String problem = null;
            if (wire == null && !Double.isFinite(value)) {
                continue; // a JSON value that is not a number, or beyond float64: reported as it was read
            }
            if (!Double.isFinite(value)) {
                problem = "expected a finite number, found " + value;
            } else if (dtype == DType.FLOAT32 && Float.isInfinite((float) value)) {
                problem = "is beyond the float32 range; compute in float64 (\"dtype\": \"float64\", or FP64"
                        + " inputs on the protocol)";
            } else if ((lowOpen ? value <= low : value < low) || (highOpen ? value >= high : value > high)) {
                problem = range.violation(value);
            }
            if (problem != null) {
                violations.add(JsonPointers.ofElement(array.pointer(), array.shape(), i), problem);
            } else if (copy) {
                reals.set(i, value);
            }
        }
        return reals;
    }

    private static Object bindScalar(ScalarSpec spec, RawScalar raw, DType dtype, Violations violations) {
        String pointer = "/" + spec.name();
        Object value = raw.value();
        Object bound = switch (spec.type()) {
            case BOOLEAN -> value instanceof Boolean ? value : null;
            case INTEGER -> value instanceof Long ? value : null;
            case NUMBER -> value instanceof Long || value instanceof Double && Double.isFinite((Double) value)
                    ? ((Number) value).doubleValue() : null;
        };
        if (bound == null) {
            violations.add(pointer, "expected " + spec.expected() + ", found " + raw.description());
            return null;
        }
        if (spec.type() == ScalarSpec.Type.NUMBER && dtype == DType.FLOAT32
                && Float.isInfinite((float) (double) (Double) bound)) {
            violations.add(pointer, "is beyond the float32 range; compute in float64 for it");
            return null;
        }
        if (spec.range() != null && bound instanceof Number number) {
            String problem = spec.range().violation(number.doubleValue());
            if (problem != null) {
                violations.add(pointer, problem);
                return null;
            }
        }
        return bound;
    }

    private static Reduction bindReduction(Signature signature, RawScalar raw, Violations violations) {
        if (raw == null) {
            return signature.defaultReduction();
        }
        Reduction reduction = raw.value() instanceof String name ? Reduction.fromWireName(name) : null;
        if (reduction == null || !signature.reductions().contains(reduction)) {
            violations.add("/" + Signature.REDUCTION, "expected one of " + quoted(signature.reductionNames())
                    + ", found " + raw.description());
            return signature.defaultReduction();
        }
        return reduction;
    }

    private static void checkOutputSize(Signature signature, Set<String> outputs, Map<String, int[]> known,
            long maxOutputElements, Violations violations) {
        long total = 0;
        for (String name : outputs) {
            int[] shape = signature.output(name).shape().exactShape(known);
            total += shape == null ? 0 : Tensor.sizeOf(shape);
        }
        if (total > maxOutputElements) {
            violations.add("/" + Signature.INCLUDE, "the requested outputs would hold " + total + " numbers, more"
                    + " than the " + maxOutputElements + " this service returns; ask for fewer of "
                    + quoted(java.util.List.copyOf(outputs)));
        }
    }

    /** "\"mean\", \"sum\" or \"none\"". */
    public static String quoted(java.util.List<String> names) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            text.append(i == 0 ? "" : i == names.size() - 1 ? " or " : ", ").append('"').append(names.get(i))
                    .append('"');
        }
        return text.toString();
    }
}
