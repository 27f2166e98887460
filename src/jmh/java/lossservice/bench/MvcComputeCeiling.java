package lossservice.bench;

import java.io.ByteArrayOutputStream;

import lossservice.compute.ComputePool;
import lossservice.loss.LossCall;
import lossservice.loss.LossResult;
import lossservice.losses.crossentropy.CrossEntropy;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.servlet.autoconfigure.HttpEncodingAutoConfiguration;
import org.springframework.boot.servlet.autoconfigure.MultipartAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * How far Spring MVC on Tomcat gets when each request also runs the service's ND4J computation, and nothing else of
 * the service: the same auto-configuration as the bare ceiling ({@code bench/mvc-ceiling}: Tomcat, the dispatcher
 * servlet, Spring MVC, the message converters, the error page, the character encoding filter) and one controller for
 * {@code POST /v1/losses/cross-entropy} that reads the body whole and then, by mode:
 * <ul>
 *   <li>{@code fixed}: answers a fixed document of the service's 2x10 answer's size (the bare ceiling again);</li>
 *   <li>{@code inline}: computes cross-entropy on a call bound once at start-up from the 2x10 payload, on the
 *       request's thread (one scratch per thread), then answers the fixed document;</li>
 *   <li>{@code pool}: the same computation handed to a {@link ComputePool} of one thread per core, as the service
 *       does;</li>
 *   <li>{@code op-inline}, {@code op-pool}: instead of the loss, one ND4J operation ({@code exp} of a kept 2x10
 *       array into another), the least a request that computes with ND4J can do, on the request's thread or on the
 *       pool;</li>
 *   <li>{@code serve}: binds the body it was sent, computes on the pool and writes the real answer with the
 *       service's reader, binder and writer: the service's work without its filters, limits, admission and
 *       metrics.</li>
 * </ul>
 * No validation of anything but the {@code serve} body, no metrics, no limits: a ceiling, not a service.
 *
 * <p>{@code java -cp ... lossservice.bench.MvcComputeCeiling MODE --server.port=PORT}
 */
@SpringBootConfiguration
@ImportAutoConfiguration({TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
        WebMvcAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class, JacksonAutoConfiguration.class,
        ErrorMvcAutoConfiguration.class, HttpEncodingAutoConfiguration.class, MultipartAutoConfiguration.class})
@RestController
public class MvcComputeCeiling {

    private static final byte[] PAYLOAD = Payloads.indexTargets("2x10");
    private static final CrossEntropy DEFINITION = new CrossEntropy();
    private static String mode;

    private final ThreadLocal<LossHarness> harnesses = ThreadLocal.withInitial(() -> new LossHarness(DEFINITION));
    private final ComputePool pool = new ComputePool(Runtime.getRuntime().availableProcessors());
    private final LossHarness binder = new LossHarness(new CrossEntropy());
    private final LossCall boundOnce = binder.bind(PAYLOAD);
    private final byte[] answer = answerOf(boundOnce);

    public static void main(String[] arguments) {
        mode = arguments[0];
        SpringApplication application = new SpringApplication(MvcComputeCeiling.class);
        application.run(java.util.Arrays.copyOfRange(arguments, 1, arguments.length));
        System.err.println("MVC compute ceiling, mode " + mode);
    }

    @PostMapping(path = "/v1/losses/cross-entropy", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<byte[]> loss(@RequestBody byte[] body) {
        byte[] out = switch (mode) {
            case "fixed" -> answer;
            case "inline" -> {
                harnesses.get().compute(boundOnce);
                yield answer;
            }
            case "pool" -> {
                pool.compute(scratch -> compute(boundOnce, scratch));
                yield answer;
            }
            case "op-inline" -> {
                oneOperation();
                yield answer;
            }
            case "op-pool" -> {
                pool.run(MvcComputeCeiling::oneOperation);
                yield answer;
            }
            case "serve" -> {
                LossHarness harness = harnesses.get();
                LossCall call = harness.bind(body);
                LossResult result = pool.compute(scratch -> compute(call, scratch));
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
                harness.encode(call, result, bytes);
                yield bytes.toByteArray();
            }
            default -> throw new IllegalArgumentException("mode: fixed, inline, pool, op-inline, op-pool or serve");
        };
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(out);
    }

    private static final ThreadLocal<INDArray[]> OPERANDS = ThreadLocal.withInitial(
            () -> new INDArray[] {Nd4j.rand(DataType.FLOAT, 2, 10), Nd4j.create(DataType.FLOAT, 2, 10)});

    private static Object oneOperation() {
        INDArray[] operands = OPERANDS.get();
        Nd4j.getExecutioner().exec(new Exp(operands[0], operands[1]));
        return operands[1];
    }

    private static LossResult compute(LossCall call, lossservice.compute.Scratch scratch) {
        try (MemoryWorkspace ignored = scratch.openWorkspace()) {
            return DEFINITION.compute(call, scratch);
        }
    }

    private byte[] answerOf(LossCall call) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        binder.encode(call, binder.compute(call), bytes);
        return bytes.toByteArray();
    }
}
