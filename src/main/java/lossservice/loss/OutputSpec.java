package lossservice.loss;

/**
 * One optional array a loss can return, besides the loss itself: asked for with {@code include} on the JSON
 * endpoint (its name) or {@code outputs} on the protocol (its snake_case).
 *
 * @param shape      its shape, from the inputs' ({@link ShapeRule#exactShape})
 * @param byDefault  whether a request that does not say is given it
 * @param unreduced  whether it is the result of reduction {@code none}, and so always returned then
 */
public record OutputSpec(String name, ShapeRule shape, boolean byDefault, boolean unreduced, String description) {

    public static OutputSpec optional(String name, ShapeRule shape, String description) {
        return new OutputSpec(name, shape, false, false, description);
    }

    public static OutputSpec byDefault(String name, ShapeRule shape, String description) {
        return new OutputSpec(name, shape, true, false, description);
    }

    public static OutputSpec unreduced(String name, ShapeRule shape, String description) {
        return new OutputSpec(name, shape, false, true, description);
    }

    public String tensorName() {
        return Names.snakeCase(name);
    }
}
