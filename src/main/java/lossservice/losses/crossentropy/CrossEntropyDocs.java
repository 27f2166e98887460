package lossservice.losses.crossentropy;

import java.util.List;

import lossservice.loss.Example;

/** The documentation of cross-entropy: its description and examples for the OpenAPI document and Swagger UI. */
final class CrossEntropyDocs {

    private CrossEntropyDocs() {
    }

    static final String DESCRIPTION = """
            Computes `torch.nn.functional.cross_entropy(logits, targets, weight=classWeights, \
            ignore_index=ignoreIndex, reduction=reduction, label_smoothing=eps)` exactly, for every combination \
            of the fields, with ND4J in float32 (default) or float64 (`dtype`).

            **Shapes.** `logits` is N x C, or N x C x d1 .. x dk with k <= 3 (segmentation maps, sequences): the \
            classes are dimension 1, as in PyTorch. Targets are class indices of shape [N, d1..dk] or \
            probabilities of the logits' shape. Every formula below holds per element (n, d1..dk) in place of \
            "row"; `perSampleLoss` has shape [N, d1..dk], the other arrays the logits' shape.

            **Label smoothing.** `eps` is `epsilon` (default 0.1) when `labelSmooth` is true (the default), \
            else 0. The smoothed targets are `(1 - eps) * onehot + eps / C` for class indices and \
            `(1 - eps) * t + eps / C` for probability targets `t`; rows whose target equals `ignoreIndex` \
            are all 0.

            **Per-sample loss.** `L_i = -sum_c w_c q_ic log_softmax(logits)_ic`, with `q` the smoothed \
            targets and `w` the class weights (all 1 when absent). The smoothing term is weighted by every \
            class's weight, as in PyTorch.

            **Reduction.** `sum` adds the `L_i`. `mean` divides that sum by `D`: for class indices the sum of \
            the target classes' weights over the rows that are not ignored (their number, without weights); \
            for probability targets always N (N * d1 * .. * dk). So `loss` differs from the mean of `perSampleLoss` when weights \
            or ignored rows are present. When `D` is 0 (every row ignored, or every target weight 0) the mean \
            is undefined: `loss` is `null`, and so is a requested `gradient`. `none` returns `perSampleLoss` \
            and a `null` loss.

            With class indices, `reduction` mean, no `classWeights` and no ignored rows, the loss equals the \
            seed `LabelSmoothingLoss`, `(-q * log_softmax(logits)).mean(0).sum()`; its `num_classes` is \
            `numClasses`, which must equal C.

            No number in a response is NaN or infinite: inputs whose results would overflow the dtype are \
            answered 422 (`result-out-of-range`).""";

    static final List<Example> EXAMPLES = List.of(
            new Example("seed", "N = 2, C = 10, targets [2, 5], epsilon 0.1", """
            The example of the seed `LabelSmoothingLoss`: two rows of ten logits, class indices 2 and 5, epsilon \
            0.1, mean reduction (loss 3.6503).""", """
            {
              "logits": [
                [0.29657506942749023, 0.3719976842403412, -0.7769638895988464, -0.34608492255210876,
                 -0.9752207398414612, 1.6493006944656372, 0.528856098651886, 0.5702930092811584,
                 1.2381970882415771, -0.4267520308494568],
                [-0.94538414478302, -1.0840734243392944, 0.11295679211616516, 0.8149017691612244,
                 -0.28811436891555786, -1.1548830270767212, -0.1923118233680725, -0.38785624504089355,
                 0.22792109847068787, 2.011714220046997]
              ],
              "targets": [2, 5],
              "epsilon": 0.1,
              "numClasses": 10,
              "reduction": "mean"
            }""", """
            {
              "loss": 3.6503468,
              "smoothedTargets": [
                [0.01, 0.01, 0.91, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01],
                [0.01, 0.01, 0.01, 0.01, 0.01, 0.91, 0.01, 0.01, 0.01, 0.01]
              ],
              "batchSize": 2,
              "numClasses": 10,
              "epsilon": 0.1,
              "reduction": "mean",
              "backend": "cpu",
              "dtype": "float32",
              "shape": [2, 10]
            }"""),
            new Example("softTargets", "Probability targets", """
            Rows of probabilities instead of class indices, smoothed to `(1 - eps) * t + eps / C`; the softmax \
            is returned too.""", """
            {
              "logits": [[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]],
              "targets": [[0.7, 0.2, 0.1], [0.0, 0.9, 0.1]],
              "epsilon": 0.1,
              "include": ["smoothedTargets", "probabilities"]
            }""", """
            {
              "loss": 0.7581041,
              "smoothedTargets": [
                [0.66333336, 0.21333332, 0.123333335],
                [0.033333335, 0.8433333, 0.123333335]
              ],
              "probabilities": [
                [0.6590012, 0.242433, 0.0985659],
                [0.11611453, 0.8579768, 0.025908655]
              ],
              "batchSize": 2,
              "numClasses": 3,
              "epsilon": 0.1,
              "reduction": "mean",
              "backend": "cpu",
              "dtype": "float32",
              "shape": [2, 3]
            }"""),
            new Example("classWeightsAndIgnoreIndex", "Class weights and an ignored row", """
            Class weights, and a row whose target equals `ignoreIndex` (-1): it adds nothing to the loss, and \
            the mean divides by the weights of the other rows' targets. Returns the per-sample losses and the \
            gradient.""", """
            {
              "logits": [[1.5, -0.3, 0.8], [0.2, 2.1, -1.0], [-0.5, 0.4, 1.9], [1.1, 0.0, -0.7]],
              "targets": [0, 1, -1, 2],
              "ignoreIndex": -1,
              "classWeights": [1.0, 2.0, 0.5],
              "epsilon": 0.1,
              "reduction": "mean",
              "include": ["perSampleLoss", "gradient"]
            }""", """
            {
              "loss": 0.6418067,
              "perSampleLoss": [0.64808464, 0.45583385, 0.0, 1.1424052],
              "gradient": [
                [-0.09187942, 0.009844518, 0.08203487],
                [0.05903924, -0.07492815, 0.015888885],
                [0.0, 0.0, 0.0],
                [0.098544545, 0.01692521, -0.11546976]
              ],
              "batchSize": 4,
              "numClasses": 3,
              "epsilon": 0.1,
              "reduction": "mean",
              "backend": "cpu",
              "dtype": "float32",
              "shape": [4, 3]
            }"""),
            new Example("segmentationFloat64", "A 2 x 3 x 2 x 2 segmentation map in float64", """
            A 2 x 3 x 2 x 2 segmentation map (N = 2, C = 3, 2 x 2 pixels) with one pixel ignored (255) and \
            computed in float64; the per-pixel losses come back as [2, 2, 2].""", """
            {
              "logits": [
                [[[1.2, -0.4], [0.3, 2.0]], [[0.1, 0.8], [-1.0, 0.5]], [[-0.6, 0.2], [1.4, -0.3]]],
                [[[0.0, 1.1], [-0.2, 0.7]], [[2.3, -0.9], [0.4, 0.6]], [[-1.5, 0.3], [0.9, 1.8]]]
              ],
              "targets": [[[0, 1], [2, 0]], [[1, 255], [2, 2]]],
              "ignoreIndex": 255,
              "epsilon": 0.1,
              "dtype": "float64",
              "include": ["perSampleLoss"]
            }""", """
            {
              "loss": 0.5221811188318258,
              "perSampleLoss": [
                [
                  [0.5009110112259045, 0.675188800169685],
                  [0.4698478403830001, 0.40686254022935436]
                ],
                [
                  [0.31900713775037703, 0.0],
                  [0.7157128791645777, 0.5677376228998822]
                ]
              ],
              "batchSize": 2,
              "numClasses": 3,
              "epsilon": 0.1,
              "reduction": "mean",
              "backend": "cpu",
              "dtype": "float64",
              "shape": [2, 3, 2, 2]
            }"""));
}
