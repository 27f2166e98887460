package lossservice.losses.sigmoidfocal;

import java.util.List;

import lossservice.loss.Example;

/** The documentation of the sigmoid focal loss: its description and examples. */
final class SigmoidFocalDocs {

    private SigmoidFocalDocs() {
    }

    static final String DESCRIPTION = """
            Computes `torchvision.ops.sigmoid_focal_loss(logits, t', alpha=alpha, gamma=gamma, \
            reduction=reduction)`, the focal loss of RetinaNet, on the smoothed targets \
            `t' = targets * (1 - epsilon) + epsilon / 2` (towards 0.5, as binary cross-entropy smooths), with \
            ND4J in float32 (default) or float64 (`dtype`). Logits of any shape of 1 to 8 dimensions; each \
            element is an independent binary problem.

            **Element loss.** `l = a * ce * (1 - p_t)^gamma`, where `ce` is the binary cross-entropy on logits \
            `t' softplus(-x) + (1 - t') softplus(x)`, `1 - p_t = t' (1 - s) + (1 - t') s` with \
            `s = sigmoid(x)`, and `a = alpha t' + (1 - alpha)(1 - t')` (alpha weighs the smoothed target). \
            `alpha` (default 0.25) is at most 1; any negative value turns the weighting off (`a = 1`). `gamma` \
            defaults to 2; with `gamma` 0 and a negative `alpha` the loss is binary cross-entropy.

            **Reduction.** `mean` (the default; torchvision's own default is `none`) divides the sum of the \
            element losses by the number of elements; `sum` adds them; `none` returns `elementLoss` and a \
            `null` loss.

            **Gradient.** d loss / d logits for the requested reduction (for `none`, of the sum): \
            `a [(s - t') (1 - p_t)^gamma + gamma ce (1 - p_t)^(gamma - 1) (1 - 2 t') s (1 - s)]`, divided by \
            the element count for `mean`. Where `1 - p_t` rounds to 0 (saturated logits and hard targets) the \
            focal factor and its derivative take their limits: the answer is never NaN. `1 - p_t` is formed from \
            `sigmoid(x)` and `sigmoid(-x)`, never by subtracting `p_t` from 1, and `ce` is stable for logits of \
            +-1e4.

            No number in a response is NaN or infinite: results that would overflow the dtype are answered 422 \
            (`result-out-of-range`).""";

    static final List<Example> EXAMPLES = List.of(
            new Example("plain", "Multi-label targets, the defaults", """
            Two samples with three labels each, hard targets, alpha 0.25 and gamma 2 (torchvision's defaults), \
            the mean over the six elements; returns the smoothed targets (the default) and the element losses.""",
                    """
            {
              "logits": [[2.0, -1.0, 0.5], [-0.3, 1.2, -2.5]],
              "targets": [[1, 0, 1], [0, 1, 0]],
              "include": ["smoothedTargets", "elementLoss"]
            }""", """
            {
              "loss": 0.01891666,
              "elementLoss": [[4.5089086E-4, 0.016993543, 0.016893374], [0.075294964, 0.003526719, 3.40476E-4]],
              "smoothedTargets": [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]],
              "alpha": 0.25,
              "gamma": 2.0,
              "epsilon": 0.0,
              "reduction": "mean",
              "backend": "cpu",
              "dtype": "float32",
              "shape": [2, 3]
            }"""),
            new Example("smoothingFloat64", "Soft targets, epsilon 0.1, alpha 0.5, gamma 1, float64", """
            A 2 x 2 x 2 tensor of soft targets smoothed by epsilon 0.1, alpha 0.5 and gamma 1, summed, in \
            float64, with the sigmoid and the gradient.""", """
            {
              "logits": [[[1.5, -0.5], [0.2, 3.0]], [[-1.0, 0.0], [2.2, -4.0]]],
              "targets": [[[1, 0], [0.25, 1]], [[0, 0.5], [1, 0]]],
              "alpha": 0.5,
              "gamma": 1.0,
              "epsilon": 0.1,
              "reduction": "sum",
              "dtype": "float64",
              "include": ["probabilities", "gradient"]
            }""", """
            {
              "loss": 0.5787710871829777,
              "probabilities": [[[0.8175744761936437, 0.3775406687981454], [0.549833997312478, 0.9525741268224334]],
                                [[0.2689414213699951, 0.5], [0.9002495108803148, 0.01798620996209156]]],
              "gradient": [[[-0.032733372963042635, 0.11661370692095896], [0.11317643343151226, -0.003917891677947988]],
                           [[0.06411033540624034, 0.0], [-0.012168497057443248, 6.744453511337357E-4]]],
              "alpha": 0.5,
              "gamma": 1.0,
              "epsilon": 0.1,
              "reduction": "sum",
              "backend": "cpu",
              "dtype": "float64",
              "shape": [2, 2, 2]
            }"""));
}
