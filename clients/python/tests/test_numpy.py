"""numpy arrays in, numpy arrays out (skipped where numpy is not installed: the client does not need it)."""

from __future__ import annotations

import unittest

from loss_service_client import LossServiceClient, cross_entropy

from .support import OracleAssertions, oracle_cases, service_url

try:
    import numpy
except ImportError:  # pragma: no cover - depends on the machine
    numpy = None


@unittest.skipIf(numpy is None, "numpy is not installed")
class NumpyRoundTripTests(OracleAssertions):

    def test_float32_arrays_come_back_as_float32_arrays(self) -> None:
        case = oracle_cases()["weights_eps0.2_mean_N6_C4"]
        request = case["request"]
        logits = numpy.asarray(request["logits"], dtype=numpy.float32)
        targets = numpy.asarray(request["targets"], dtype=numpy.int64)
        weights = numpy.asarray(request["classWeights"], dtype=numpy.float32)

        result = cross_entropy(logits, targets, epsilon=numpy.float32(0.2), class_weights=weights,
                               reduction="mean", include="all", base_url=service_url())

        for array in (result.smoothed_targets, result.probabilities, result.gradient):
            self.assertIsInstance(array, numpy.ndarray)
            self.assertEqual(array.dtype, numpy.float32)
            self.assertEqual(array.shape, logits.shape)
        self.assertEqual(result.per_sample_loss.shape, (6,))
        self.assertIsInstance(result.loss, float)
        self.assert_matches_oracle(result, case["expected"])
        numpy.testing.assert_allclose(result.probabilities.sum(axis=1), numpy.ones(6), rtol=1e-5)

    def test_float64_logits_give_float64_arrays_and_lists_stay_lists(self) -> None:
        case = oracle_cases()["soft_targets_eps0_mean"]
        request = case["request"]
        client = LossServiceClient(service_url())

        as_arrays = client.cross_entropy(numpy.asarray(request["logits"]), numpy.asarray(request["targets"]),
                                         epsilon=0.0, include="all")
        as_lists = client.cross_entropy(numpy.asarray(request["logits"]), request["targets"], epsilon=0.0,
                                        include="all", as_numpy=False)
        forced = client.cross_entropy(request["logits"], request["targets"], epsilon=0.0, include="all",
                                      as_numpy=True)

        self.assertEqual(as_arrays.gradient.dtype, numpy.float64)
        self.assertIsInstance(as_lists.gradient, list)
        self.assertIsInstance(forced.gradient, numpy.ndarray)
        numpy.testing.assert_array_equal(as_arrays.gradient, numpy.asarray(as_lists.gradient))
        numpy.testing.assert_array_equal(forced.gradient, as_arrays.gradient)
        self.assert_matches_oracle(as_arrays, case["expected"])

    def test_numpy_scalars_inside_lists_are_sent_as_numbers(self) -> None:
        case = oracle_cases()["seed_example_N2_C10_t2_5_eps0.1"]
        rows = [numpy.asarray(row, dtype=numpy.float32) for row in case["request"]["logits"]]

        result = cross_entropy(rows, [numpy.int64(2), numpy.int32(5)], num_classes=numpy.int64(10),
                               base_url=service_url())

        self.assertIsInstance(result.smoothed_targets, list, "the logits were a list: lists come back")
        self.assert_close(result.loss, case["expected"]["loss"], "loss")


if __name__ == "__main__":
    unittest.main()
