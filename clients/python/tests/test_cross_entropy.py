"""cross_entropy against the running service, compared with the PyTorch oracle vectors."""

from __future__ import annotations

import unittest

import loss_service_client
from loss_service_client import ALL_OUTPUTS, LossServiceClient, cross_entropy

from .support import OracleAssertions, keyword_arguments, oracle_cases, service_url


class SeedExampleTests(OracleAssertions):

    def test_seed_example_through_the_module_function(self) -> None:
        case = oracle_cases()["seed_example_N2_C10_t2_5_eps0.1"]
        request = case["request"]

        result = cross_entropy(request["logits"], [2, 5], epsilon=0.1, num_classes=10, reduction="mean",
                               include="all", base_url=service_url())

        self.assertAlmostEqual(result.loss, 3.6503466, places=5)
        self.assert_matches_oracle(result, case["expected"])
        self.assertIsInstance(result.gradient, list)
        self.assertEqual(len(result.smoothed_targets), 2)
        self.assertAlmostEqual(result.smoothed_targets[0][2], 0.91, places=6)

    def test_default_include_returns_only_the_smoothed_targets(self) -> None:
        request = oracle_cases()["seed_example_defaults_only"]["request"]

        result = LossServiceClient(service_url()).cross_entropy(request["logits"], request["targets"])

        self.assertIsNotNone(result.smoothed_targets)
        self.assertIsNone(result.gradient)
        self.assertIsNone(result.probabilities)
        self.assertEqual(set(result.raw), {"loss", "smoothedTargets", "batchSize", "numClasses", "epsilon",
                                           "reduction", "backend", "shape", "dtype"})
        self.assertEqual(result.shape, [2, 10])
        self.assertEqual(result.dtype, "float32")
        self.assertEqual(result.extra_fields, {})

    def test_label_smooth_false_makes_epsilon_zero(self) -> None:
        case = oracle_cases()["seed_example_labelSmooth_false"]

        result = cross_entropy(case["request"]["logits"], case["request"]["targets"], epsilon=0.1,
                               label_smooth=False, include=["smoothed_targets", "per_sample_loss"],
                               base_url=service_url())

        self.assertEqual(result.epsilon, 0.0)
        self.assert_matches_oracle(result, case["expected"])


class SoftTargetTests(OracleAssertions):

    def test_probability_targets_summed(self) -> None:
        case = oracle_cases()["soft_targets_eps0.2_sum"]
        request = case["request"]

        result = cross_entropy(request["logits"], request["targets"], epsilon=0.2, reduction="sum",
                               include=ALL_OUTPUTS, base_url=service_url())

        self.assert_matches_oracle(result, case["expected"])

    def test_probability_targets_with_weights_and_no_reduction(self) -> None:
        case = oracle_cases()["soft_targets_weights_eps0.1_none"]
        request = case["request"]

        result = cross_entropy(request["logits"], request["targets"], epsilon=0.1,
                               class_weights=request["classWeights"], reduction="none", include="all",
                               base_url=service_url())

        self.assertIsNone(result.loss)
        self.assertEqual(len(result.per_sample_loss), 4)
        self.assert_matches_oracle(result, case["expected"])


class WeightsAndIgnoreIndexTests(OracleAssertions):

    def test_class_weights_with_ignored_rows(self) -> None:
        case = oracle_cases()["weights_ignoreIndex_eps0_mean"]
        request = case["request"]

        result = cross_entropy(request["logits"], request["targets"], epsilon=0.0,
                               class_weights=request["classWeights"], ignore_index=-1, include="all",
                               base_url=service_url())

        self.assert_matches_oracle(result, case["expected"])
        self.assertEqual(result.per_sample_loss[1], 0.0, "an ignored row adds nothing")

    def test_every_row_ignored_gives_a_null_mean_and_gradient(self) -> None:
        case = oracle_cases()["all_ignored_mean_is_NaN"]

        result = cross_entropy(include="all", base_url=service_url(), **keyword_arguments(case["request"]))

        self.assertIsNone(result.loss)
        self.assertIsNone(result.gradient)
        self.assert_matches_oracle(result, case["expected"])


class EveryOracleCaseTests(OracleAssertions):
    """Each valid oracle request, written as keyword arguments, gives PyTorch's numbers."""

    def test_every_valid_case(self) -> None:
        client = LossServiceClient(service_url(), timeout=60)
        cases = [case for case in oracle_cases().values() if case["expected_status"] == 200]
        self.assertGreater(len(cases), 40)
        for case in cases:
            with self.subTest(case["name"]):
                arguments = keyword_arguments(case["request"])
                arguments.setdefault("include", "all")
                self.assert_matches_oracle(client.cross_entropy(**arguments), case["expected"])


class BackendTests(unittest.TestCase):

    def test_backend_reports_what_computes(self) -> None:
        report = loss_service_client.backend(base_url=service_url())

        self.assertIn(report["backend"], ("cpu", "cuda"))
        self.assertIn("nd4jVersion", report)
        self.assertEqual(LossServiceClient(service_url()).backend()["backend"], report["backend"])


if __name__ == "__main__":
    unittest.main()
