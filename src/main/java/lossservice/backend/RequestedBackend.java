package lossservice.backend;

import java.util.Locale;
import java.util.Optional;

/** The value of the {@code loss.backend} property: a backend, or {@code auto} to let the service choose. */
enum RequestedBackend {
    AUTO("auto"),
    CPU("cpu"),
    CUDA("cuda");

    private final String wireName;

    RequestedBackend(String wireName) {
        this.wireName = wireName;
    }

    String wireName() {
        return wireName;
    }

    /** Reads a property value case-insensitively; empty when it names no known choice. */
    static Optional<RequestedBackend> fromProperty(String value) {
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        for (RequestedBackend requested : values()) {
            if (requested.wireName.equals(normalized)) {
                return Optional.of(requested);
            }
        }
        return Optional.empty();
    }
}
