package lossservice.compute;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param threads                 the platform threads that run ND4J computations; 0 means one per available core
 * @param callerThreadMaxElements computations of at most this many input elements run on the thread that asks for
 *                                them, with one of as many scratches as there are compute threads (0: none); only on
 *                                the CPU backend
 */
@ConfigurationProperties("loss.compute")
public record ComputeProperties(int threads, @DefaultValue("8192") long callerThreadMaxElements) {

    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
