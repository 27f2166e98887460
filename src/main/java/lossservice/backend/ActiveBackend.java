package lossservice.backend;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.environment.Nd4jEnvironment;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.factory.Nd4jBackend;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * The ND4J backend this process computes with. Constructing it initialises ND4J, checks that ND4J
 * loaded the chosen backend, makes FLOAT the default data type and warms up, all while the context
 * starts: before the server accepts requests and before readiness turns UP. Never lazy, even
 * when lazy initialisation is switched on, for that reason.
 */
@Component
@Lazy(false)
public class ActiveBackend {

    private static final Logger log = LoggerFactory.getLogger(ActiveBackend.class);
    private static final String ND4J_POM_PROPERTIES = "META-INF/maven/org.nd4j/nd4j-api/pom.properties";

    private final BackendKind kind;
    private final BackendReport report;

    ActiveBackend(BackendDecision decision) {
        this.kind = decision.backend();
        Nd4jBackend loaded = initialiseNd4j();
        String expectedClass = BackendServiceClassLoader.backendClassName(kind);
        if (!loaded.getClass().getName().equals(expectedClass)) {
            throw new BackendUnavailableException("ND4J runs " + loaded.getClass().getSimpleName()
                    + " in this process, but the " + kind.wireName() + " backend was chosen",
                    "Make sure nothing uses ND4J before the application starts.");
        }
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        warmUp();
        this.report = new BackendReport(kind.wireName(), decision.requested().wireName(), decision.reason(),
                devices(), nd4jVersion(), Nd4j.defaultFloatingPointType().name(),
                Nd4j.getEnvironment().maxThreads(), Runtime.getRuntime().availableProcessors());
        log.debug("ND4J ready: {}", report);
        if (report.threads() > 1) {
            // ND4J fixes its threads per operation when its native library loads, from OMP_NUM_THREADS; the
            // compute pool already runs one computation per core, so more only adds hand-offs between threads.
            log.info("ND4J uses {} threads per operation; OMP_NUM_THREADS=1 (set by the container image and"
                    + " ./mvnw spring-boot:run) makes small batches faster", report.threads());
        }
    }

    /** The backend that computes every response. */
    public BackendKind kind() {
        return kind;
    }

    public BackendReport report() {
        return report;
    }

    private Nd4jBackend initialiseNd4j() {
        Nd4jBackend loaded;
        try {
            loaded = Nd4jPreloader.await();
        } catch (LinkageError | RuntimeException ex) {
            throw new BackendUnavailableException("ND4J failed to initialise the " + kind.wireName()
                    + " backend: " + CudaProbe.describe(ex), "See the ND4J messages above.");
        }
        if (loaded == null) {
            throw new BackendUnavailableException("ND4J loaded no backend", "See the ND4J messages above.");
        }
        return loaded;
    }

    /** A few small operations of the kind the loss uses, so that the first request pays no set-up. */
    private static void warmUp() {
        float[][] values = new float[2][10];
        for (int row = 0; row < 2; row++) {
            for (int column = 0; column < 10; column++) {
                values[row][column] = (row + 1) * (column - 5) / 3f;
            }
        }
        try (INDArray logits = Nd4j.createFromArray(values);
                INDArray rowMax = logits.max(true, 1);
                INDArray shifted = logits.subColumnVector(rowMax);
                INDArray exp = Transforms.exp(shifted, true);
                INDArray rowSum = exp.sum(true, 1);
                INDArray logSum = Transforms.log(rowSum, true);
                INDArray scaled = shifted.mulColumnVector(logSum);
                INDArray total = scaled.sum()) {
            if (!Double.isFinite(total.getDouble(0))) {
                throw new IllegalStateException("ND4J warm-up gave a non-finite result");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private List<BackendReport.Device> devices() {
        if (kind != BackendKind.CUDA) {
            return List.of();
        }
        List<BackendReport.Device> devices = new ArrayList<>();
        try {
            Properties environment = Nd4j.getExecutioner().getEnvironmentInformation();
            Object information = environment.get(Nd4jEnvironment.CUDA_DEVICE_INFORMATION_KEY);
            if (information instanceof List<?> list) {
                for (Object entry : list) {
                    if (entry instanceof Map<?, ?> device) {
                        Object name = device.get(Nd4jEnvironment.CUDA_DEVICE_NAME_KEY);
                        Object memory = device.get(Nd4jEnvironment.CUDA_TOTAL_MEMORY_KEY);
                        devices.add(new BackendReport.Device(String.valueOf(name),
                                memory instanceof Number number ? number.longValue() : -1));
                    }
                }
            }
        } catch (RuntimeException ex) {
            log.warn("Could not list the CUDA devices: {}", CudaProbe.describe(ex));
        }
        return devices;
    }

    private static String nd4jVersion() {
        try (InputStream in = Nd4j.class.getClassLoader().getResourceAsStream(ND4J_POM_PROPERTIES)) {
            if (in == null) {
                return "unknown";
            }
            Properties pom = new Properties();
            pom.load(in);
            return pom.getProperty("version", "unknown");
        } catch (IOException ex) {
            return "unknown";
        }
    }
}
