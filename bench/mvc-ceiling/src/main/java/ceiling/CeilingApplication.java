package ceiling;

import java.nio.charset.StandardCharsets;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The least Spring MVC on Tomcat does for {@code POST /v1/losses/cross-entropy}: the body is read whole and a fixed
 * answer of the size of the service's 2x10 answer is written. What the service does beyond this is its own cost.
 */
@SpringBootApplication
@RestController
public class CeilingApplication {

    private static final byte[] ANSWER = answer();

    public static void main(String[] args) {
        SpringApplication.run(CeilingApplication.class, args);
    }

    @PostMapping(path = "/v1/losses/cross-entropy", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<byte[]> loss(@RequestBody byte[] body) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(ANSWER);
    }

    /** A loss and a 2x10 array of smoothed targets and one of gradients, as the service answers a 2x10 request. */
    private static byte[] answer() {
        StringBuilder json = new StringBuilder("{\"loss\":2.3025851,\"smoothedTargets\":").append(matrix("0.01"))
                .append(",\"gradient\":").append(matrix("-0.0042910278"))
                .append(",\"batchSize\":2,\"numClasses\":10,\"epsilon\":0.1,\"reduction\":\"mean\",\"backend\":\"cpu\"}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String matrix(String value) {
        StringBuilder rows = new StringBuilder("[");
        for (int i = 0; i < 2; i++) {
            rows.append(i == 0 ? "[" : ",[");
            for (int j = 0; j < 10; j++) {
                rows.append(j == 0 ? "" : ",").append(value);
            }
            rows.append(']');
        }
        return rows.append(']').toString();
    }
}
