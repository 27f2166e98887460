package lossservice.losses.kldivergence;

import java.util.List;

import lossservice.loss.Example;

/** The documentation of the distillation loss: its description and examples. */
final class KlDivergenceDocs {

    private KlDivergenceDocs() {
    }

    static final String DESCRIPTION = """
            Knowledge distillation (Hinton et al.; the soft-target loss of DeiT-style training): the KL \
            divergence of the student's tempered softmax from the teacher's, times T^2. Computes \
            `torch.nn.functional.kl_div(log_softmax(studentLogits / T, 1), log_softmax(teacherLogits / T, 1), \
            reduction=reduction, log_target=True) * T**2` exactly, with ND4J in float32 (default) or float64 \
            (`dtype`).

            **Shapes.** `studentLogits` is N x C, or N x C x d1 .. x dk with k <= 3 (the classes are dimension \
            1, as in PyTorch); `teacherLogits` has exactly the same shape. Every formula below holds per \
            position e = (n, d1..dk), the softmaxes taken along dimension 1.

            **Per-sample loss.** With `ps = softmax(s / T)`, `pt = softmax(t / T)` and T = `temperature` \
            (default 1, > 0): `L_e = T^2 * sum_c pt_ec * (log pt_ec - log ps_ec)`, shape [N, d1..dk]. A teacher \
            probability that underflows to 0 contributes exactly 0; identical logits give 0; adding a constant \
            to the C logits of one position changes nothing.

            **Reduction.** `batchmean` (the default) divides the sum of the `L_e` by N, also for k >= 1 (not by \
            N * d1 * .. * dk); `mean` divides it by the element count N * C * d1 * .. * dk (torch's `kl_div` \
            "mean", so `mean = batchmean / (C d1..dk)`); `sum` adds them; `none` returns `perSampleLoss` and a \
            `null` loss.

            **Gradient.** d loss / d studentLogits: `T * (ps - pt)`, divided by N for `batchmean` and by the \
            element count for `mean` (the loss scales with T^2, the gradient with T). The teacher is a constant.

            The response repeats the `temperature` used. No number in a response is NaN or infinite: inputs \
            whose results would overflow the dtype are answered 422 (`result-out-of-range`).""";

    static final List<Example> EXAMPLES = List.of(
            new Example("plain", "N = 2, C = 3, temperature 1", """
            Two rows of student and teacher logits at temperature 1, batchmean: the mean over the rows of the \
            KL divergence, with the teacher's probabilities.""", """
            {
              "studentLogits": [[2.0, 0.5, -1.0], [0.0, 1.0, 0.5]],
              "teacherLogits": [[1.5, 1.0, -0.5], [-0.5, 2.0, 0.0]]
            }""", """
            {
              "loss": 0.16395324,
              "teacherProbabilities": [[0.574097, 0.3482074, 0.07769558], [0.067425355, 0.82140905, 0.11116562]],
              "temperature": 1.0,
              "reduction": "batchmean",
              "backend": "cpu",
              "dtype": "float32",
              "shape": [2, 3]
            }"""),
            new Example("temperatureSegmentation", "Temperature 4 on a [2, 3, 2] map, every output", """
            Distillation at temperature 4 on two samples of two positions each (N = 2, C = 3, d1 = 2), \
            batchmean (divided by N = 2), with both tempered softmaxes, the per-position losses and the \
            gradient.""", """
            {
              "studentLogits": [
                [[2.0, -1.0], [0.5, 0.0], [-1.0, 3.0]],
                [[0.3, 1.2], [-0.7, 0.8], [1.9, -2.0]]
              ],
              "teacherLogits": [
                [[4.0, -2.0], [1.0, 0.5], [-3.0, 5.0]],
                [[0.0, 2.5], [-1.5, 1.0], [3.5, -4.0]]
              ],
              "temperature": 4.0,
              "include": ["teacherProbabilities", "studentProbabilities", "perSampleLoss", "gradient"]
            }""", """
            {
              "loss": 1.3357127,
              "teacherProbabilities": [
                [[0.60748154, 0.115970954], [0.286954, 0.21666227], [0.10556447, 0.6673668]],
                [[0.24472827, 0.53072894], [0.16819912, 0.36476433], [0.5870726, 0.10450672]]
              ],
              "studentProbabilities": [
                [[0.46303675, 0.19990775], [0.3182402, 0.25668663], [0.21872307, 0.5434056]],
                [[0.30575192, 0.42477882], [0.23811983, 0.38435575], [0.45612824, 0.19086543]]
              ],
              "perSampleLoss": [[0.93349135, 0.596115], [0.56334513, 0.5784738]],
              "gradient": [
                [[-0.28888965, 0.16787359], [0.062572435, 0.08004873], [0.22631721, -0.24792233]],
                [[0.12204728, -0.21190028], [0.13984142, 0.039182886], [-0.2618887, 0.17271739]]
              ],
              "temperature": 4.0,
              "reduction": "batchmean",
              "backend": "cpu",
              "dtype": "float32",
              "shape": [2, 3, 2]
            }"""));
}
