package lossservice.loss;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

/** Every loss the service computes, by name: the {@link LossDefinition} beans, in alphabetical order. */
@Component
public class LossRegistry {

    private final Map<String, LossDefinition> byName = new LinkedHashMap<>();

    public LossRegistry(List<LossDefinition> definitions) {
        for (LossDefinition definition : definitions.stream()
                .sorted(java.util.Comparator.comparing(LossDefinition::name)).toList()) {
            if (byName.putIfAbsent(definition.name(), definition) != null) {
                throw new IllegalStateException("two losses are named " + definition.name());
            }
        }
    }

    /** The loss of this name, or null. */
    public LossDefinition find(String name) {
        return byName.get(name);
    }

    public Collection<LossDefinition> all() {
        return Collections.unmodifiableCollection(byName.values());
    }
}
