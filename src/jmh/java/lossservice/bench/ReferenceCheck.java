package lossservice.bench;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import lossservice.crossentropy.CrossEntropyLoss;
import lossservice.crossentropy.CrossEntropyRequest;
import lossservice.crossentropy.CrossEntropyRequestDecoder;
import lossservice.crossentropy.CrossEntropyResult;

/**
 * Checks that {@link FusedCrossEntropy} computes what the service's ND4J path computes, so the compute
 * benchmark compares against a correct reference. Every value must agree within
 * {@code 1e-6 + 1e-5 * |nd4j|} (the tolerance the service keeps against PyTorch).
 *
 * <p>The compute benchmark runs {@link #requireAgreement} on its own payload before measuring; the main
 * method also covers class weights, ignored rows, probability targets and every reduction.
 */
public final class ReferenceCheck {

    static final double ABSOLUTE = 1e-6;
    static final double RELATIVE = 1e-5;

    private ReferenceCheck() {
    }

    /** Throws an {@link AssertionError} listing the first disagreements. */
    public static void requireAgreement(String what, CrossEntropyResult nd4j, CrossEntropyResult fused) {
        List<String> problems = new ArrayList<>();
        if (nd4j.batchSize() != fused.batchSize() || nd4j.numClasses() != fused.numClasses()
                || nd4j.reduction() != fused.reduction() || !nd4j.outputs().equals(fused.outputs())) {
            problems.add("shape, reduction or outputs differ");
        }
        if ((nd4j.loss() == null) != (fused.loss() == null)) {
            problems.add("loss: " + nd4j.loss() + " vs " + fused.loss());
        } else if (nd4j.loss() != null) {
            compare("loss", new float[] {nd4j.loss()}, new float[] {fused.loss()}, problems);
        }
        compare("perSampleLoss", nd4j.perSampleLoss(), fused.perSampleLoss(), problems);
        compare("smoothedTargets", rowMajor(nd4j), rowMajor(fused), problems);
        compare("probabilities", nd4j.probabilities(), fused.probabilities(), problems);
        compare("gradient", nd4j.gradient(), fused.gradient(), problems);
        if (!problems.isEmpty()) {
            throw new AssertionError("The fused reference disagrees with ND4J on " + what + ": "
                    + String.join("; ", problems.subList(0, Math.min(5, problems.size()))));
        }
    }

    private static void compare(String name, float[] expected, float[] actual, List<String> problems) {
        if (expected == null || actual == null) {
            if (expected != actual) {
                problems.add(name + ": one side is null");
            }
            return;
        }
        if (expected.length != actual.length) {
            problems.add(name + ": " + expected.length + " vs " + actual.length + " values");
            return;
        }
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > ABSOLUTE + RELATIVE * Math.abs(expected[i])) {
                problems.add(name + "[" + i + "]: nd4j " + expected[i] + ", fused " + actual[i]);
            }
        }
    }

    public static CrossEntropyRequest decode(String json) {
        return decode(json.getBytes(StandardCharsets.UTF_8));
    }

    public static CrossEntropyRequest decode(byte[] json) {
        return new CrossEntropyRequestDecoder().decode(new ByteArrayInputStream(json));
    }

    public static void main(String[] args) {
        CrossEntropyLoss nd4j = new CrossEntropyLoss("cpu");
        FusedCrossEntropy fused = new FusedCrossEntropy("cpu");
        List<String[]> cases = new ArrayList<>();
        for (String size : new String[] {"2x10", "32x1000", "256x1000"}) {
            cases.add(new String[] {"benchmark payload " + size,
                    new String(Payloads.indexTargets(size), StandardCharsets.UTF_8)});
        }
        cases.add(new String[] {"weights, an ignored row, sum",
                "{\"logits\":[[1.5,-2,0.25,3],[0,0,0,0],[1e4,0,-1e4,2]],\"targets\":[3,-100,0],\"reduction\":\"sum\","
                + "\"classWeights\":[1,2,0.5,1.5],\"include\":[\"smoothedTargets\",\"gradient\",\"probabilities\"]}"});
        cases.add(new String[] {"weights, ignored row, mean",
                "{\"logits\":[[1.5,-2,0.25,3],[0,1,0,0],[30,0,-30,2]],\"targets\":[3,-100,2],"
                + "\"classWeights\":[1,2,0.5,1.5],\"include\":[\"gradient\",\"perSampleLoss\"]}"});
        cases.add(new String[] {"probability targets, weights, mean",
                "{\"logits\":[[1.5,-2,0.25],[0.5,1,-1]],\"targets\":[[0.2,0.3,0.5],[1,0,0]],\"epsilon\":0.2,"
                + "\"classWeights\":[1,3,0.5],\"include\":[\"smoothedTargets\",\"gradient\"]}"});
        cases.add(new String[] {"reduction none, no smoothing",
                "{\"logits\":[[1.5,-2,0.25],[0.5,1,-1]],\"targets\":[2,0],\"labelSmooth\":false,\"reduction\":\"none\","
                + "\"include\":[\"probabilities\",\"gradient\"]}"});
        cases.add(new String[] {"every row ignored (undefined mean)",
                "{\"logits\":[[1,2],[3,4]],\"targets\":[-100,-100],\"include\":[\"gradient\"]}"});
        for (String[] testCase : cases) {
            CrossEntropyRequest request = decode(testCase[1]);
            requireAgreement(testCase[0], nd4j.compute(request), fused.compute(request));
            System.out.println("agree: " + testCase[0]);
        }
        System.out.println("The fused reference agrees with ND4J on " + cases.size() + " requests.");
    }

    private static float[] rowMajor(lossservice.crossentropy.CrossEntropyResult result) {
        return result.smoothedTargets() == null ? null : result.smoothedTargets().toRowMajor(result.numClasses());
    }
}
