package lossservice.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import lossservice.loss.LossCall;
import lossservice.loss.LossDefinition;
import lossservice.loss.LossResult;
import lossservice.loss.Tensor;
import lossservice.losses.binarycrossentropy.BinaryCrossEntropy;
import lossservice.losses.binarycrossentropy.BinaryCrossEntropyComputeBenchmark;
import lossservice.losses.binarycrossentropy.FusedBinaryCrossEntropy;
import lossservice.losses.crossentropy.CrossEntropy;
import lossservice.losses.crossentropy.FusedCrossEntropy;

/**
 * Checks that a {@link FusedLoss} computes what the service's ND4J path computes, so that a compute benchmark
 * compares against a correct reference: the same loss (both null, or both numbers) and the same outputs by name,
 * each of the same shape, every value within {@code 1e-6 + 1e-5 * |nd4j|} (the tolerance the service keeps
 * against PyTorch).
 *
 * <p>{@link ComputeBenchmark} runs {@link #requireAgreement} on its own payload before measuring. The main method
 * checks the cross-entropy reference on the benchmark payloads, class weights, ignored rows, probability targets,
 * K-dimensional logits, every reduction and an undefined mean, and the binary cross-entropy reference on its
 * payloads, both weight vectors, 3-D logits and every reduction. A reference of another loss checks its own cases
 * with {@link #check}.
 */
public final class ReferenceCheck {

    static final double ABSOLUTE = 1e-6;
    static final double RELATIVE = 1e-5;

    private ReferenceCheck() {
    }

    /** Throws an {@link AssertionError} listing the first disagreements. */
    public static void requireAgreement(String what, LossResult nd4j, LossResult fused) {
        List<String> problems = new ArrayList<>();
        if ((nd4j.loss() == null) != (fused.loss() == null)) {
            problems.add("loss: nd4j " + nd4j.loss() + ", fused " + fused.loss());
        } else if (nd4j.loss() != null && !close(nd4j.loss(), fused.loss())) {
            problems.add("loss: nd4j " + nd4j.loss() + ", fused " + fused.loss());
        }
        if (!nd4j.outputs().keySet().equals(fused.outputs().keySet())) {
            problems.add("outputs: nd4j " + nd4j.outputs().keySet() + ", fused " + fused.outputs().keySet());
        }
        for (Map.Entry<String, Tensor> output : nd4j.outputs().entrySet()) {
            if (fused.outputs().containsKey(output.getKey())) {
                compare(output.getKey(), output.getValue(), fused.outputs().get(output.getKey()), problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("The fused reference disagrees with ND4J on " + what + " (" + problems.size()
                    + " problems): " + String.join("; ", problems.subList(0, Math.min(5, problems.size()))));
        }
    }

    private static void compare(String name, Tensor expected, Tensor actual, List<String> problems) {
        if (expected == null || actual == null) {
            if (expected != actual) {
                problems.add(name + ": nd4j " + expected + ", fused " + actual);
            }
            return;
        }
        if (expected.dtype() != actual.dtype() || !Arrays.equals(expected.shape(), actual.shape())) {
            problems.add(name + ": nd4j " + expected + ", fused " + actual);
            return;
        }
        for (int i = 0; i < expected.size(); i++) {
            if (!close(expected.get(i), actual.get(i))) {
                problems.add(name + "[" + i + "]: nd4j " + expected.get(i) + ", fused " + actual.get(i));
            }
        }
    }

    private static boolean close(double expected, double actual) {
        return Math.abs(expected - actual) <= ABSOLUTE + RELATIVE * Math.abs(expected);
    }

    /**
     * Binds each request body (JSON, by description) for the definition and requires the fused reference to agree
     * with the ND4J computation on it; prints one line per request.
     */
    public static void check(LossDefinition definition, FusedLoss fused, Map<String, String> requests) {
        try (LossHarness harness = new LossHarness(definition)) {
            for (Map.Entry<String, String> request : requests.entrySet()) {
                LossCall call = harness.bind(request.getValue().getBytes(StandardCharsets.UTF_8));
                requireAgreement(definition.name() + ", " + request.getKey(), harness.computeChecked(call),
                        fused.compute(call));
                System.out.println("agree: " + definition.name() + ", " + request.getKey());
            }
        }
        System.out.println("The fused reference agrees with ND4J on " + requests.size() + " " + definition.name()
                + " requests.");
    }

    public static void main(String[] args) {
        Map<String, String> crossEntropy = new LinkedHashMap<>();
        for (String size : new String[] {"2x10", "32x1000", "256x1000"}) {
            crossEntropy.put("benchmark payload " + size, new String(Payloads.indexTargets(size),
                    StandardCharsets.UTF_8));
        }
        crossEntropy.put("weights, an ignored row, sum",
                "{\"logits\":[[1.5,-2,0.25,3],[0,0,0,0],[1e4,0,-1e4,2]],\"targets\":[3,-100,0],\"reduction\":\"sum\","
                + "\"classWeights\":[1,2,0.5,1.5],\"include\":[\"smoothedTargets\",\"gradient\",\"probabilities\"]}");
        crossEntropy.put("weights, ignored row, mean",
                "{\"logits\":[[1.5,-2,0.25,3],[0,1,0,0],[30,0,-30,2]],\"targets\":[3,-100,2],"
                + "\"classWeights\":[1,2,0.5,1.5],\"include\":[\"gradient\",\"perSampleLoss\"]}");
        crossEntropy.put("probability targets, weights, mean",
                "{\"logits\":[[1.5,-2,0.25],[0.5,1,-1]],\"targets\":[[0.2,0.3,0.5],[1,0,0]],\"epsilon\":0.2,"
                + "\"classWeights\":[1,3,0.5],\"include\":[\"smoothedTargets\",\"gradient\"]}");
        crossEntropy.put("reduction none, no smoothing",
                "{\"logits\":[[1.5,-2,0.25],[0.5,1,-1]],\"targets\":[2,0],\"labelSmooth\":false,\"reduction\":\"none\","
                + "\"include\":[\"probabilities\",\"gradient\"]}");
        crossEntropy.put("every row ignored (undefined mean)",
                "{\"logits\":[[1,2],[3,4]],\"targets\":[-100,-100],\"include\":[\"gradient\"]}");
        crossEntropy.put("segmentation 2x21x4x5, ignoreIndex 255",
                new String(Payloads.segmentation(2, 21, 4, 5, Payloads.SEED), StandardCharsets.UTF_8));
        crossEntropy.put("3-D probability targets, sum",
                "{\"logits\":[[[1,2],[0.5,-1],[3,0]]],\"targets\":[[[0.5,0],[0.25,1],[0.25,0]]],\"reduction\":\"sum\","
                + "\"include\":[\"perSampleLoss\",\"probabilities\",\"gradient\"]}");
        check(new CrossEntropy(), new FusedCrossEntropy(), crossEntropy);

        Map<String, String> binaryCrossEntropy = new LinkedHashMap<>();
        for (String size : new String[] {"2x10", "32x1000", "256x1000"}) {
            binaryCrossEntropy.put("benchmark payload " + size, new String(
                    BinaryCrossEntropyComputeBenchmark.multiLabelTargets(size), StandardCharsets.UTF_8));
        }
        binaryCrossEntropy.put("posWeight, classWeights, probability targets, sum",
                "{\"logits\":[[1.5,-2,0.25],[1e4,-1e4,0]],\"targets\":[[1,0,0.3],[0,1,0.5]],\"reduction\":\"sum\","
                + "\"posWeight\":[2,0.5,1],\"classWeights\":[1,3,0],\"epsilon\":0.2,"
                + "\"include\":[\"smoothedTargets\",\"probabilities\",\"gradient\"]}");
        binaryCrossEntropy.put("3-D logits, reduction none",
                "{\"logits\":[[[1,-30],[0.5,30]],[[-0.25,2],[3,-3]]],\"targets\":[[[1,0],[0,1]],[[1,1],[0,0]]],"
                + "\"reduction\":\"none\",\"include\":[\"gradient\"]}");
        binaryCrossEntropy.put("1-D logits, mean, every output",
                "{\"logits\":[0.5,-1,20],\"targets\":[1,0,0.5],\"epsilon\":0.1,"
                + "\"include\":[\"smoothedTargets\",\"elementLoss\",\"probabilities\",\"gradient\"]}");
        check(new BinaryCrossEntropy(), new FusedBinaryCrossEntropy(), binaryCrossEntropy);
    }
}
