package lossservice;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The loss service. Spring Boot's observation of HTTP requests is replaced by
 * {@code metrics.HttpRequestMetricsFilter}, which records the same series for a fraction of the cost.
 */
@SpringBootApplication(excludeName = "org.springframework.boot.webmvc.autoconfigure.WebMvcObservationAutoConfiguration")
public class LossServiceApplication {
    public static void main(String[] args) {
        SpringApplication.run(LossServiceApplication.class, args);
    }
}
