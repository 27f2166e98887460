package lossservice.losses.nll;

import java.util.List;

import lossservice.loss.Example;

/** The documentation of the negative log-likelihood: its description and examples. */
final class NegativeLogLikelihoodDocs {

    private NegativeLogLikelihoodDocs() {
    }

    static final String DESCRIPTION = """
            Computes `torch.nn.functional.nll_loss(logProbabilities, targets, weight=classWeights, \
            ignore_index=ignoreIndex, reduction=reduction)` exactly, with ND4J in float32 (default) or float64 \
            (`dtype`). It is cross-entropy without label smoothing for a model that already outputs \
            log-probabilities: `nll` of `log_softmax(logits)` equals `cross-entropy` of `logits` with epsilon 0.

            **Shapes.** `logProbabilities` is N x C, or N x C x d1 .. x dk with k <= 3: the classes are dimension \
            1, as in PyTorch. `targets` are class indices of shape [N, d1..dk] (probabilities are not accepted). \
            Every formula below holds per element e = (n, d1..dk).

            **Per-sample loss.** `L_e = -w[y_e] * logProbabilities[e, y_e]`, with `w` the class weights (all 1 \
            when absent), and 0 where the target equals `ignoreIndex` (default -100). The numbers are used as \
            given: nothing checks that they are log-probabilities, so a positive value gives a negative loss.

            **Reduction.** `sum` adds the `L_e`. `mean` divides that sum by `D`, the sum of the target classes' \
            weights over the elements that are not ignored (their number, without weights). When `D` is 0 \
            (every element ignored, or every target weight 0) the mean is undefined: `loss` is `null`, and so is \
            a requested `gradient`. `none` returns `perSampleLoss` and a `null` loss.

            **Gradient.** d loss / d logProbabilities: `-w[y_e]` at each element's target class (divided by `D` \
            for `mean`), 0 everywhere else and for ignored elements.

            The response repeats the `ignoreIndex` used. No number in a response is NaN or infinite: inputs whose \
            results would overflow the dtype are answered 422 (`result-out-of-range`).""";

    static final List<Example> EXAMPLES = List.of(
            new Example("plain", "N = 3, C = 4, mean", """
            Three rows of log-probabilities and their target classes; the mean of the three \
            negated target entries.""", """
            {
              "logProbabilities": [
                [-0.3, -1.6, -2.9, -3.2],
                [-2.2, -0.4, -1.9, -3.0],
                [-1.5, -2.5, -0.6, -2.0]
              ],
              "targets": [0, 1, 3]
            }""", """
            {
              "loss": 0.9,
              "ignoreIndex": -100,
              "reduction": "mean",
              "backend": "cpu",
              "dtype": "float32",
              "shape": [3, 4]
            }"""),
            new Example("weightsIgnoreIndexKDim", "Class weights, an ignored pixel, [2, 3, 2] in float64", """
            A sequence of two positions per sample (N = 2, C = 3, d1 = 2) with class weights and one position \
            ignored (target -1): the mean divides by the weights of the other targets. Returns the per-sample \
            losses and the gradient.""", """
            {
              "logProbabilities": [
                [[-0.2, -1.8], [-1.9, -0.3], [-2.6, -2.4]],
                [[-1.1, -0.7], [-0.9, -2.2], [-1.3, -0.9]]
              ],
              "targets": [[0, 1], [2, -1]],
              "classWeights": [1.0, 2.0, 0.5],
              "ignoreIndex": -1,
              "dtype": "float64",
              "include": ["perSampleLoss", "gradient"]
            }""", """
            {
              "loss": 0.4142857142857143,
              "perSampleLoss": [[0.2, 0.6], [0.65, 0.0]],
              "gradient": [
                [[-0.2857142857142857, 0.0], [0.0, -0.5714285714285714], [0.0, 0.0]],
                [[0.0, 0.0], [0.0, 0.0], [-0.14285714285714285, 0.0]]
              ],
              "ignoreIndex": -1,
              "reduction": "mean",
              "backend": "cpu",
              "dtype": "float64",
              "shape": [2, 3, 2]
            }"""));
}
