package lossservice.backend;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

import org.nd4j.common.config.ND4JClassLoading;

/**
 * A class loader that delegates everything to its parent, except that ND4J's backend service file
 * is narrowed to the one naming the chosen backend. Handed to ND4J before it initialises, it makes
 * {@code Nd4jBackend.load()} see only that backend: ND4J itself would pick the highest priority
 * one that reports itself available, and its CUDA backend prints a stack trace when there is no GPU.
 */
final class BackendServiceClassLoader extends ClassLoader {

    static final String BACKEND_SERVICE_FILE = "META-INF/services/org.nd4j.linalg.factory.Nd4jBackend";
    static final String CPU_BACKEND_CLASS = "org.nd4j.linalg.cpu.nativecpu.CpuBackend";

    static {
        registerAsParallelCapable();
    }

    private final BackendKind backend;

    BackendServiceClassLoader(ClassLoader parent, BackendKind backend) {
        super("nd4j-" + backend.wireName() + "-backend", parent);
        this.backend = backend;
    }

    BackendKind backend() {
        return backend;
    }

    /** The ND4J backend class that implements a backend kind. */
    static String backendClassName(BackendKind backend) {
        return switch (backend) {
            case CPU -> CPU_BACKEND_CLASS;
            case CUDA -> CudaProbe.CUDA_BACKEND_CLASS;
        };
    }

    /**
     * Makes ND4J load only the given backend, unless it already does. Must run before ND4J
     * initialises; the caller keeps requests consistent with {@link #installedBackend()}.
     */
    static synchronized void install(BackendKind backend, ClassLoader parent) {
        if (installedBackend().filter(backend::equals).isEmpty()) {
            ND4JClassLoading.setNd4jClassloader(new BackendServiceClassLoader(parent, backend));
        }
    }

    /** The backend a previous {@link #install} chose for this process, if any. */
    static synchronized Optional<BackendKind> installedBackend() {
        return ND4JClassLoading.getNd4jClassloader() instanceof BackendServiceClassLoader installed
                ? Optional.of(installed.backend)
                : Optional.empty();
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        Enumeration<URL> resources = getParent().getResources(name);
        if (!BACKEND_SERVICE_FILE.equals(name)) {
            return resources;
        }
        String backendClass = backendClassName(backend);
        List<URL> kept = new ArrayList<>();
        for (URL url : Collections.list(resources)) {
            if (namesProvider(url, backendClass)) {
                kept.add(url);
            }
        }
        return Collections.enumeration(kept);
    }

    @Override
    public URL getResource(String name) {
        if (!BACKEND_SERVICE_FILE.equals(name)) {
            return getParent().getResource(name);
        }
        try {
            Enumeration<URL> kept = getResources(name);
            return kept.hasMoreElements() ? kept.nextElement() : null;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Whether a service file lists the class (one name per line, '#' starts a comment). */
    private static boolean namesProvider(URL serviceFile, String providerClass) throws IOException {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(serviceFile.openStream(), StandardCharsets.UTF_8))) {
            return reader.lines()
                    .map(line -> line.replaceFirst("#.*", "").strip())
                    .anyMatch(providerClass::equals);
        }
    }
}
