package lossservice.loss;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NamesTests {

    @Test
    void camelCaseBecomesSnakeCaseTheFirstTimeAndEveryTimeAfter() {
        for (int time = 0; time < 2; time++) {
            assertThat(Names.snakeCase("classWeights")).isEqualTo("class_weights");
            assertThat(Names.snakeCase("logProbabilities")).isEqualTo("log_probabilities");
            assertThat(Names.snakeCase("ignoreIndex")).isEqualTo("ignore_index");
            assertThat(Names.snakeCase("loss")).isEqualTo("loss");
            assertThat(Names.snakeCase("")).isEmpty();
        }
    }

    @Test
    void namesBeyondTheOnesKeptAreStillMapped() {
        for (int i = 0; i < 3_000; i++) {
            assertThat(Names.snakeCase("nameNumber" + i + "Here")).isEqualTo("name_number" + i + "_here");
        }
    }
}
