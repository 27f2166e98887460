package lossservice.loss;

import java.util.concurrent.ConcurrentHashMap;

/** The mechanical mapping of JSON field names (camelCase) to the protocol's tensor and parameter names. */
public final class Names {

    /**
     * The names already mapped: every call of the Open Inference Protocol asks for its inputs' and outputs' names
     * (0.6% of a small gRPC call's CPU when built each time). Only the losses' own names are mapped, a few dozen;
     * the bound only keeps the map from growing should a caller ever pass other text.
     */
    private static final ConcurrentHashMap<String, String> MAPPED = new ConcurrentHashMap<>();
    private static final int MAX_MAPPED = 1024;

    private Names() {
    }

    /** {@code classWeights} -> {@code class_weights}, {@code logProbabilities} -> {@code log_probabilities}. */
    public static String snakeCase(String camelCase) {
        String mapped = MAPPED.get(camelCase);
        if (mapped != null) {
            return mapped;
        }
        StringBuilder snake = new StringBuilder(camelCase.length() + 4);
        for (int i = 0; i < camelCase.length(); i++) {
            char c = camelCase.charAt(i);
            if (Character.isUpperCase(c)) {
                snake.append('_').append(Character.toLowerCase(c));
            } else {
                snake.append(c);
            }
        }
        mapped = snake.toString();
        if (MAPPED.size() < MAX_MAPPED) {
            MAPPED.putIfAbsent(camelCase, mapped);
        }
        return mapped;
    }
}
