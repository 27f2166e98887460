package lossservice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.diagnostics.FailureAnalysis;

class BackendFailureAnalyzerTests {

    @Test
    void describesTheFailureWithTheReasonAndTheAction() {
        BackendUnavailableException failure = new BackendUnavailableException("the reason", "the action");

        FailureAnalysis analysis = new BackendFailureAnalyzer()
                .analyze(new IllegalStateException("wrapped", failure));

        assertThat(analysis.getDescription()).isEqualTo("the reason");
        assertThat(analysis.getAction()).isEqualTo("the action");
        assertThat(analysis.getCause()).isSameAs(failure);
    }
}
