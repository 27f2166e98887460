package lossservice;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class LossServiceApplication {
    public static void main(String[] args) {
        SpringApplication.run(LossServiceApplication.class, args);
    }
}
