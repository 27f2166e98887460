package lossservice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AssignableTypeFilter;
import org.springframework.core.type.filter.RegexPatternTypeFilter;

/**
 * The JSON request body of one size for every loss that has a {@link ComputeBenchmark}, found on the class path
 * under {@code lossservice.losses} (so a new loss with its benchmark is loaded by bench/catalogue.sh with no change
 * here): the same bytes the JMH benchmark computes, written to {@code DIR/<loss name>.json}.
 *
 * <p>With every loss, two more cross-entropy bodies of the same size ({@link Payloads#probabilityTargets}), named
 * {@code cross-entropy.probabilities} and {@code cross-entropy.one-hot}: the cross-entropy endpoint sent as many
 * numbers as a kl-divergence body and as a sigmoid-focal body, which is what the catalogue's rates are compared
 * with (a name {@code LOSS.VARIANT} is posted to LOSS's endpoint).
 *
 * <p>{@code java -cp ... lossservice.bench.CataloguePayloads DIR NxC [LOSS...]} (every loss, or those named)
 */
public final class CataloguePayloads {

    private CataloguePayloads() {
    }

    public static void main(String[] arguments) throws IOException, ReflectiveOperationException {
        Path directory = Files.createDirectories(Path.of(arguments[0]));
        String size = arguments[1];
        Set<String> only = Set.of(Arrays.copyOfRange(arguments, 2, arguments.length));
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AssignableTypeFilter(ComputeBenchmark.class));
        // JMH's generated subclasses of each benchmark (package ...jmh_generated) are not losses of their own.
        scanner.addExcludeFilter(new RegexPatternTypeFilter(Pattern.compile(".*\\.jmh_generated\\..*")));
        for (BeanDefinition candidate : scanner.findCandidateComponents("lossservice.losses")) {
            ComputeBenchmark benchmark = (ComputeBenchmark) Class.forName(candidate.getBeanClassName())
                    .getDeclaredConstructor().newInstance();
            if (!only.isEmpty() && !only.contains(benchmark.definition().name())) {
                continue;
            }
            Path file = directory.resolve(benchmark.definition().name() + ".json");
            Files.write(file, benchmark.payload(size));
            System.out.println(benchmark.definition().name());
            System.err.printf("%s %d bytes%n", file, Files.size(file));
        }
        if (only.isEmpty()) {
            int[] shape = Payloads.shape(size);
            write(directory, "cross-entropy.probabilities",
                    Payloads.probabilityTargets(shape[0], shape[1], Payloads.SEED, false));
            write(directory, "cross-entropy.one-hot", Payloads.probabilityTargets(shape[0], shape[1], Payloads.SEED, true));
        }
    }

    private static void write(Path directory, String name, byte[] body) throws IOException {
        Path file = Files.write(directory.resolve(name + ".json"), body);
        System.out.println(name);
        System.err.printf("%s %d bytes%n", file, Files.size(file));
    }
}
