package lossservice.losses.sigmoidfocal;

import java.util.List;

import lossservice.oracle.OracleVectors;
import lossservice.rest.LocalEndpoint;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The public sigmoid focal vectors through the JSON endpoint without HTTP (the shared oracle tests send them over
 * HTTP).
 */
class SigmoidFocalVectorsTests {

    private static final LocalEndpoint FOCAL = new LocalEndpoint(new SigmoidFocal());

    static List<OracleVectors.Case> cases() {
        return OracleVectors.valid("sfocal.json");
    }

    @AfterAll
    static void close() {
        FOCAL.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(OracleVectors.Case oracleCase) {
        OracleVectors.assertMatches(oracleCase, FOCAL.post(oracleCase.body()));
    }
}
