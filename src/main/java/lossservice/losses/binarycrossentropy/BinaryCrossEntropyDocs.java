package lossservice.losses.binarycrossentropy;

import java.util.List;

import lossservice.loss.Example;

/** The documentation of binary cross-entropy: its description and examples. */
final class BinaryCrossEntropyDocs {

    private BinaryCrossEntropyDocs() {
    }

    static final String DESCRIPTION = """
            Computes `torch.nn.functional.binary_cross_entropy_with_logits(logits, t', weight=classWeights, \
            pos_weight=posWeight, reduction=reduction)` on the smoothed targets \
            `t' = targets * (1 - epsilon) + epsilon / 2` (Keras' `label_smoothing`: towards 0.5), with ND4J in \
            float32 (default) or float64 (`dtype`).

            **Element loss.** `l = w * (pw * t' * softplus(-x) + (1 - t') * softplus(x))`, with `pw` = \
            `posWeight` and `w` = `classWeights` taken at the element's position in the last dimension (both 1 \
            when absent). The form used is stable for logits of +-1e4.

            **Reduction.** `mean` divides the sum of the element losses by the number of elements, weights or \
            not (a weight of 0 still counts); `sum` adds them; `none` returns `elementLoss` and a `null` loss.

            **Gradient.** d loss / d logits for the requested reduction (for `none`, of the sum): \
            `w * ((1 + (pw - 1) * t') * sigmoid(x) - pw * t')`, divided by the element count for `mean`.

            No number in a response is NaN or infinite: results that would overflow the dtype are answered 422 \
            (`result-out-of-range`).""";

    static final List<Example> EXAMPLES = List.of(
            new Example("multiLabel", "Multi-label targets, epsilon 0.1", """
            Two samples with three labels each, targets 0/1 smoothed towards 0.5 by epsilon 0.1 (to 0.05 and \
            0.95); the mean over the six elements.""", """
            {
              "logits": [[2.0, -1.0, 0.5], [-0.3, 1.2, -2.5]],
              "targets": [[1, 0, 1], [0, 1, 0]],
              "epsilon": 0.1,
              "include": ["smoothedTargets", "elementLoss"]
            }""", """
            {
              "loss": 0.36429903,
              "elementLoss": [
                [0.22692807, 0.36326164, 0.499077],
                [0.56935525, 0.32328245, 0.20388976]
              ],
              "smoothedTargets": [
                [0.95, 0.05, 0.95],
                [0.05, 0.95, 0.05]
              ],
              "epsilon": 0.1,
              "reduction": "mean",
              "backend": "cpu",
              "dtype": "float32",
              "shape": [2, 3]
            }"""),
            new Example("weightsFloat64", "posWeight, classWeights, 3-D, float64", """
            A 2 x 2 x 2 tensor with positive weights and weights along the last dimension, summed, in float64, \
            with the sigmoid and the gradient.""", """
            {
              "logits": [[[1.5, -0.5], [0.2, 3.0]], [[-1.0, 0.0], [2.2, -4.0]]],
              "targets": [[[1, 0], [0.25, 1]], [[0, 0], [1, 0]]],
              "posWeight": [3.0, 1.0],
              "classWeights": [1.0, 0.5],
              "reduction": "sum",
              "dtype": "float64",
              "include": ["probabilities", "gradient"]
            }""", """
            {
              "loss": 2.8969405069607577,
              "probabilities": [
                [
                  [0.8175744761936437, 0.3775406687981454],
                  [0.549833997312478, 0.9525741268224334]
                ],
                [
                  [0.2689414213699951, 0.5],
                  [0.9002495108803148, 0.01798620996209156]
                ]
              ],
              "gradient": [
                [
                  [-0.547276571419069, 0.1887703343990727],
                  [0.07475099596871682, -0.02371293658878339]
                ],
                [
                  [0.2689414213699951, 0.25],
                  [-0.2992514673590554, 0.00899310498104578]
                ]
              ],
              "epsilon": 0.0,
              "reduction": "sum",
              "backend": "cpu",
              "dtype": "float64",
              "shape": [2, 2, 2]
            }"""));
}
