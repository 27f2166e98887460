package lossservice.backend;

import static lossservice.backend.BackendServiceClassLoader.BACKEND_SERVICE_FILE;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4jBackend;

class BackendServiceClassLoaderTests {

    @TempDir
    Path dir;

    private URL cpuServiceFile;
    private URL cudaServiceFile;
    private URLClassLoader bothBackends;

    @BeforeEach
    void twoJarsEachWithOneBackend() throws IOException {
        Path cpuJar = jar("nd4j-native", """
                # Licence header
                org.nd4j.linalg.cpu.nativecpu.CpuBackend
                """);
        Path cudaJar = jar("nd4j-cuda", """
                #
                # org.nd4j.linalg.cpu.nativecpu.CpuBackend is named here in a comment only
                org.nd4j.linalg.jcublas.JCublasBackend  # trailing comment
                """);
        cpuServiceFile = cpuJar.resolve(BACKEND_SERVICE_FILE).toUri().toURL();
        cudaServiceFile = cudaJar.resolve(BACKEND_SERVICE_FILE).toUri().toURL();
        bothBackends = new URLClassLoader(new URL[] {cpuJar.toUri().toURL(), cudaJar.toUri().toURL()}, null);
    }

    @Test
    void theParentSeesBothBackends() throws IOException {
        assertThat(Collections.list(bothBackends.getResources(BACKEND_SERVICE_FILE)))
                .containsExactlyInAnyOrder(cpuServiceFile, cudaServiceFile);
    }

    @Test
    void theCpuFilterKeepsOnlyTheCpuBackendsServiceFile() throws IOException {
        ClassLoader cpuOnly = new BackendServiceClassLoader(bothBackends, BackendKind.CPU);

        assertThat(Collections.list(cpuOnly.getResources(BACKEND_SERVICE_FILE))).containsExactly(cpuServiceFile);
        assertThat(cpuOnly.getResource(BACKEND_SERVICE_FILE)).isEqualTo(cpuServiceFile);
    }

    @Test
    void theCudaFilterKeepsOnlyTheCudaBackendsServiceFile() throws IOException {
        ClassLoader cudaOnly = new BackendServiceClassLoader(bothBackends, BackendKind.CUDA);

        assertThat(Collections.list(cudaOnly.getResources(BACKEND_SERVICE_FILE))).containsExactly(cudaServiceFile);
        assertThat(cudaOnly.getResource(BACKEND_SERVICE_FILE)).isEqualTo(cudaServiceFile);
    }

    @Test
    void otherResourcesAreNotFiltered() throws IOException {
        ClassLoader cpuOnly = new BackendServiceClassLoader(bothBackends, BackendKind.CPU);

        assertThat(Collections.list(cpuOnly.getResources("nd4j.properties"))).hasSize(2);
    }

    @Test
    void classesComeFromTheParent() throws ClassNotFoundException {
        ClassLoader cpuOnly = new BackendServiceClassLoader(getClass().getClassLoader(), BackendKind.CPU);

        assertThat(cpuOnly.loadClass(BackendKind.class.getName())).isSameAs(BackendKind.class);
    }

    @Test
    void nd4jsServiceLookupFindsOnlyTheChosenBackendOnTheRealClasspath() {
        ClassLoader application = getClass().getClassLoader();

        assertThat(providerTypes(new BackendServiceClassLoader(application, BackendKind.CPU)))
                .containsExactly(BackendServiceClassLoader.CPU_BACKEND_CLASS);
        assertThat(providerTypes(new BackendServiceClassLoader(application, BackendKind.CUDA))).isEmpty();
    }

    /** The backends ND4J's {@code ServiceLoader} would find, without instantiating any of them. */
    private static List<String> providerTypes(ClassLoader loader) {
        return ServiceLoader.load(Nd4jBackend.class, loader).stream()
                .map(provider -> provider.type().getName())
                .toList();
    }

    private Path jar(String name, String serviceFile) throws IOException {
        Path root = Files.createDirectories(dir.resolve(name));
        Path services = Files.createDirectories(root.resolve(BACKEND_SERVICE_FILE).getParent());
        Files.writeString(services.resolve("org.nd4j.linalg.factory.Nd4jBackend"), serviceFile);
        Files.writeString(root.resolve("nd4j.properties"), "name=" + name + "\n");
        return root;
    }
}
