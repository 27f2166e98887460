package lossservice.losses.focal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import lossservice.bench.ReferenceCheck;

/**
 * Checks that {@link FusedFocal} computes what the service computes ({@link ReferenceCheck}): the benchmark
 * payloads, class weights, ignored rows, probability targets, K-dimensional logits, saturated rows, gammas 0, 0.5,
 * 1, 2 and 3.5, every reduction and an undefined mean.
 */
public final class FocalReferenceCheck {

    private FocalReferenceCheck() {
    }

    public static void main(String[] args) {
        Map<String, String> requests = new LinkedHashMap<>();
        for (String size : new String[] {"2x10", "32x1000", "256x1000"}) {
            requests.put("benchmark payload " + size, new String(FocalComputeBenchmark.indexTargets(size),
                    StandardCharsets.UTF_8));
        }
        requests.put("weights, an ignored row, gamma 0.5, sum",
                "{\"logits\":[[1.5,-2,0.25,3],[0,0,0,0],[1e4,0,-1e4,2]],\"targets\":[3,-100,0],\"reduction\":\"sum\","
                + "\"gamma\":0.5,\"epsilon\":0.1,\"classWeights\":[1,2,0.5,1.5],"
                + "\"include\":[\"smoothedTargets\",\"gradient\",\"probabilities\",\"perSampleLoss\"]}");
        requests.put("weights, an ignored row, gamma 3.5, mean",
                "{\"logits\":[[1.5,-2,0.25,3],[0,1,0,0],[30,0,-30,2]],\"targets\":[3,-1,2],\"ignoreIndex\":-1,"
                + "\"gamma\":3.5,\"classWeights\":[1,2,0.5,1.5],\"include\":[\"gradient\",\"perSampleLoss\"]}");
        requests.put("probability targets, weights, gamma 1, mean",
                "{\"logits\":[[1.5,-2,0.25],[0.5,1,-1]],\"targets\":[[0.2,0.3,0.5],[1,0,0]],\"epsilon\":0.2,"
                + "\"gamma\":1,\"classWeights\":[1,3,0.5],\"include\":[\"smoothedTargets\",\"gradient\"]}");
        requests.put("gamma 0 (cross-entropy), reduction none",
                "{\"logits\":[[1.5,-2,0.25],[0.5,1,-1]],\"targets\":[2,0],\"gamma\":0,\"reduction\":\"none\","
                + "\"include\":[\"probabilities\",\"gradient\"]}");
        requests.put("saturated rows, gamma 0.5",
                "{\"logits\":[[1e4,-1e4,-1e4],[0,-40,-40],[30,0,30]],\"targets\":[0,1,2],\"gamma\":0.5,"
                + "\"epsilon\":0.1,\"include\":[\"perSampleLoss\",\"gradient\"]}");
        requests.put("every row ignored (undefined mean)",
                "{\"logits\":[[1,2],[3,4]],\"targets\":[-100,-100],\"include\":[\"gradient\"]}");
        requests.put("segmentation 2x4x3x5, ignoreIndex 255, gamma 2",
                "{\"logits\":[[[[1,2,0,1,3],[0,1,2,3,4],[1,1,1,1,1]],[[0,0,2,1,0],[3,2,1,0,-1],[2,2,2,2,2]],"
                + "[[1,0,0,1,1],[1,1,0,0,1],[0,1,0,1,0]],[[-1,0,1,0,-1],[2,0,2,0,2],[1,2,3,4,5]]],"
                + "[[[0,1,2,3,4],[4,3,2,1,0],[1,0,1,0,1]],[[2,2,0,0,1],[1,0,1,0,1],[3,0,3,0,3]],"
                + "[[0,0,0,0,0],[1,1,1,1,1],[2,2,2,2,2]],[[5,4,3,2,1],[0,0,1,1,2],[2,1,2,1,2]]]],"
                + "\"targets\":[[[0,1,2,3,255],[3,2,1,0,0],[1,1,2,2,3]],[[0,0,1,1,2],[2,3,255,3,2],[1,0,1,0,1]]],"
                + "\"ignoreIndex\":255,\"epsilon\":0.05,\"classWeights\":[0.5,1,2,1],"
                + "\"include\":[\"smoothedTargets\",\"perSampleLoss\",\"probabilities\",\"gradient\"]}");
        ReferenceCheck.check(new Focal(), new FusedFocal(), requests);
    }
}
