package lossservice.backend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Probes for a usable CUDA device the cheap way first (is the backend on the classpath, is an
 * NVIDIA driver installed) and only then asks ND4J's CUDA backend. It calls
 * {@code JCublasBackend#canRun()} rather than {@code isAvailable()}: the latter prints a stack
 * trace when there is no GPU. The CUDA classes are not on the default classpath, hence reflection.
 */
final class CudaProbe implements CudaDeviceProbe {

    static final String CUDA_BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";

    private static final List<Path> NVIDIA_DRIVER_FILES =
            List.of(Path.of("/proc/driver/nvidia/version"), Path.of("/dev/nvidiactl"));
    private static final int MAX_REASON_LENGTH = 200;

    private final ClassLoader classLoader;
    private final List<Path> driverFiles;

    CudaProbe(ClassLoader classLoader) {
        this(classLoader, NVIDIA_DRIVER_FILES);
    }

    CudaProbe(ClassLoader classLoader, List<Path> driverFiles) {
        this.classLoader = classLoader;
        this.driverFiles = List.copyOf(driverFiles);
    }

    /** Whether ND4J's CUDA backend class can be found, without initialising it. */
    static boolean cudaBackendOnClasspath(ClassLoader classLoader) {
        try {
            Class.forName(CUDA_BACKEND_CLASS, false, classLoader);
            return true;
        } catch (ClassNotFoundException | LinkageError ex) {
            return false;
        }
    }

    @Override
    public Optional<String> whyUnusable() {
        if (driverFiles.stream().noneMatch(Files::exists)) {
            return Optional.of("no NVIDIA driver found (none of " + driverFiles + " exists)");
        }
        try {
            Object backend = Class.forName(CUDA_BACKEND_CLASS, true, classLoader)
                    .getDeclaredConstructor().newInstance();
            Object canRun = backend.getClass().getMethod("canRun").invoke(backend);
            return Boolean.TRUE.equals(canRun)
                    ? Optional.empty()
                    : Optional.of("the CUDA backend reports that it cannot run");
        } catch (VirtualMachineError error) {
            throw error;
        } catch (Throwable failure) {
            // Missing libcuda.so, no device, wrong CUDA version: all end up here as one line.
            return Optional.of(describe(failure));
        }
    }

    static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        String text = message == null || message.isBlank() ? root.getClass().getSimpleName() : message.strip();
        int newline = text.indexOf('\n');
        if (newline >= 0) {
            text = text.substring(0, newline).strip();
        }
        return text.length() <= MAX_REASON_LENGTH ? text : text.substring(0, MAX_REASON_LENGTH - 3) + "...";
    }
}
