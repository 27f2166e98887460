package lossservice.compute;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param threads the platform threads that run ND4J computations; 0 means one per available core
 */
@ConfigurationProperties("loss.compute")
public record ComputeProperties(int threads) {

    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
