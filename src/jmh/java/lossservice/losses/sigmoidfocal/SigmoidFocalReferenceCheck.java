package lossservice.losses.sigmoidfocal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import lossservice.bench.ReferenceCheck;

/**
 * Checks that {@link FusedSigmoidFocal} computes what the service computes ({@link ReferenceCheck}): the benchmark
 * payloads, soft targets, saturated logits, 3-D logits, alphas -1, 0, 0.5 and 1, gammas 0, 0.5, 1, 2 and 3, and
 * every reduction.
 */
public final class SigmoidFocalReferenceCheck {

    private SigmoidFocalReferenceCheck() {
    }

    public static void main(String[] args) {
        Map<String, String> requests = new LinkedHashMap<>();
        for (String size : new String[] {"2x10", "32x1000", "256x1000"}) {
            requests.put("benchmark payload " + size, new String(SigmoidFocalComputeBenchmark.multiLabelTargets(size),
                    StandardCharsets.UTF_8));
        }
        requests.put("soft targets, saturated logits, alpha 0.5, gamma 0.5, sum",
                "{\"logits\":[[1.5,-2,0.25],[1e4,-1e4,0],[30,-30,17]],\"targets\":[[1,0,0.3],[1,0,0.5],[0,1,1]],"
                + "\"reduction\":\"sum\",\"alpha\":0.5,\"gamma\":0.5,\"epsilon\":0.2,"
                + "\"include\":[\"smoothedTargets\",\"elementLoss\",\"probabilities\",\"gradient\"]}");
        requests.put("3-D logits, alpha -1, gamma 0 (binary cross-entropy), reduction none",
                "{\"logits\":[[[1,-30],[0.5,30]],[[-0.25,2],[3,-3]]],\"targets\":[[[1,0],[0,1]],[[1,1],[0,0]]],"
                + "\"alpha\":-1,\"gamma\":0,\"reduction\":\"none\",\"include\":[\"gradient\"]}");
        requests.put("1-D logits, alpha 1, gamma 3, mean, every output",
                "{\"logits\":[0.5,-1,20,-4],\"targets\":[1,0,0.5,1],\"alpha\":1,\"gamma\":3,\"epsilon\":0.1,"
                + "\"include\":[\"smoothedTargets\",\"elementLoss\",\"probabilities\",\"gradient\"]}");
        requests.put("alpha 0, gamma 1, sum",
                "{\"logits\":[[0.5,-1],[2,-0.75]],\"targets\":[[1,0],[0.25,0.75]],\"alpha\":0,\"gamma\":1,"
                + "\"reduction\":\"sum\",\"include\":[\"elementLoss\",\"gradient\"]}");
        ReferenceCheck.check(new SigmoidFocal(), new FusedSigmoidFocal(), requests);
    }
}
