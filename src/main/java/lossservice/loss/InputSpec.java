package lossservice.loss;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One input tensor of a loss: its name (the JSON field; the protocol's tensor name is its snake_case), whether it
 * is required, and the forms it may take. Most inputs have one form; cross-entropy's targets have two (class
 * indices or probabilities), told apart by their number of dimensions.
 *
 * @param description  what the input is, for documents
 */
public record InputSpec(String name, boolean required, List<Form> forms, String description) {

    /** What the numbers are: real numbers computed in the request's precision, or class indices (int64). */
    public enum Kind {
        REAL,
        INDEX
    }

    /**
     * One form of an input.
     *
     * @param what    what the numbers are in this form, for messages ("class indices", "probabilities")
     * @param values  the range every number must lie in, or null
     */
    public record Form(Kind kind, ShapeRule shape, Range values, String what) {
    }

    public InputSpec {
        forms = List.copyOf(forms);
    }

    /** Real numbers of the given shape (in the request's precision), each in {@code values} when it is not null. */
    public static InputSpec real(String name, boolean required, ShapeRule shape, Range values, String description) {
        return new InputSpec(name, required, List.of(new Form(Kind.REAL, shape, values, "numbers")), description);
    }

    /** Class indices (JSON integers) of the given shape. */
    public static InputSpec indices(String name, ShapeRule shape, String description) {
        return new InputSpec(name, true, List.of(new Form(Kind.INDEX, shape, null, "class indices")), description);
    }

    /** Class indices of one shape or probabilities of another, told apart by their number of dimensions. */
    public static InputSpec indicesOrProbabilities(String name, ShapeRule indices, ShapeRule probabilities,
            String description) {
        return new InputSpec(name, true, List.of(new Form(Kind.INDEX, indices, null, "class indices"),
                new Form(Kind.REAL, probabilities, Range.atLeast(0).of("a probability"), "probabilities")),
                description);
    }

    /** The name of the tensor on the Open Inference Protocol. */
    public String tensorName() {
        return Names.snakeCase(name);
    }

    /** The inputs this one's shape depends on. */
    public Set<String> references() {
        Set<String> references = new LinkedHashSet<>();
        for (Form form : forms) {
            references.addAll(form.shape().references());
        }
        return references;
    }

    public boolean accepts(Kind kind) {
        return forms.stream().anyMatch(form -> form.kind() == kind);
    }

    /** The deepest nesting a JSON array of this input is read to. */
    public int maxReadDepth() {
        int deepest = -1;
        for (Form form : forms) {
            deepest = Math.max(deepest, form.shape().maxReadDepth());
        }
        return deepest < 0 ? Shapes.READ_DEPTH : deepest;
    }

    /**
     * The form whose shape rule expects {@code rank} dimensions given the known shapes; with one form, that form
     * whatever the rank (its rule then reports a wrong one) unless its rank is what makes it that kind of input
     * ({@link ShapeRule#rankIsTheKind()}). Null when no form fits.
     */
    public Form formFor(int rank, Map<String, int[]> known) {
        if (forms.size() == 1) {
            Form form = forms.get(0);
            int expected = form.shape().rank(known);
            return expected < 0 || expected == rank || !form.shape().rankIsTheKind() ? form : null;
        }
        for (Form form : forms) {
            if (form.shape().rank(known) == rank) {
                return form;
            }
        }
        return null;
    }

    /** "class indices of shape [2] or probabilities of shape [2, 3]", for a rank that fits no form. */
    public String describeForms(Map<String, int[]> known) {
        List<String> described = new ArrayList<>();
        for (Form form : forms) {
            int[] exact = form.shape().exactShape(known);
            String shape = exact != null ? java.util.Arrays.toString(exact) : form.shape().describe();
            described.add(form.what() + (shape.startsWith("[") ? " of shape " : " of ") + shape);
        }
        return String.join(" or ", described);
    }
}
