package lossservice.loss;

/** The mechanical mapping of JSON field names (camelCase) to the protocol's tensor and parameter names. */
public final class Names {

    private Names() {
    }

    /** {@code classWeights} -> {@code class_weights}, {@code logProbabilities} -> {@code log_probabilities}. */
    public static String snakeCase(String camelCase) {
        StringBuilder snake = new StringBuilder(camelCase.length() + 4);
        for (int i = 0; i < camelCase.length(); i++) {
            char c = camelCase.charAt(i);
            if (Character.isUpperCase(c)) {
                snake.append('_').append(Character.toLowerCase(c));
            } else {
                snake.append(c);
            }
        }
        return snake.toString();
    }
}
