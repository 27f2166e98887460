"""numpy arrays in, numpy arrays of the computed dtype out, over both transports (skipped without numpy: the client
does not need it)."""

from __future__ import annotations

import unittest

from loss_service_client import LossServiceClient, cross_entropy

from .support import OracleAssertions, needs_numpy, numpy, oracle_cases, service_url


@needs_numpy
class NumpyRoundTripTests(OracleAssertions):

    def setUp(self) -> None:
        self.client = LossServiceClient(service_url())
        self.addCleanup(self.client.close)

    def test_float32_arrays_come_back_as_float32_arrays(self) -> None:
        case = oracle_cases()["weights_eps0.2_mean_N6_C4"]
        request = case["request"]
        logits = numpy.asarray(request["logits"], dtype=numpy.float32)
        targets = numpy.asarray(request["targets"], dtype=numpy.int64)
        weights = numpy.asarray(request["classWeights"], dtype=numpy.float32)

        result = cross_entropy(logits, targets, epsilon=numpy.float32(0.2), class_weights=weights,
                               reduction="mean", include="all", base_url=service_url())

        self.assertEqual(result.transport, "v2", "numpy arrays go as binary tensors")
        self.assertEqual(result.dtype, "float32")
        for array in (result.smoothed_targets, result.probabilities, result.gradient):
            self.assertIsInstance(array, numpy.ndarray)
            self.assertEqual(array.dtype, numpy.float32)
            self.assertEqual(array.shape, logits.shape)
        self.assertEqual(result.per_sample_loss.shape, (6,))
        self.assertIsInstance(result.loss, float)
        self.assert_matches_oracle(result, case["expected"], ["smoothed_targets", "per_sample_loss", "probabilities",
                                                              "gradient"])
        numpy.testing.assert_allclose(result.probabilities.sum(axis=1), numpy.ones(6), rtol=1e-5)

    def test_float64_arrays_compute_in_float64_on_both_transports(self) -> None:
        case = oracle_cases("float64.json")["f64_weights_ignore-1_eps_third_sum"]
        request = case["request"]
        arguments = dict(logits=numpy.asarray(request["logits"], dtype=numpy.float64),
                         targets=numpy.asarray(request["targets"]), epsilon=request["epsilon"],
                         class_weights=numpy.asarray(request["classWeights"]), ignore_index=request["ignoreIndex"],
                         reduction=request["reduction"], include="all")

        for transport in ("v2", "json"):
            with self.subTest(transport):
                result = self.client.cross_entropy(**arguments, transport=transport)
                self.assertEqual(result.transport, transport)
                self.assertEqual(result.dtype, "float64", "a float64 first input computes in float64")
                self.assertEqual(result.gradient.dtype, numpy.float64)
                self.assert_matches_oracle(result, case["expected"], ["gradient", "probabilities"])

    def test_dtype_overrides_the_arrays_precision(self) -> None:
        case = oracle_cases()["soft_targets_eps0_mean"]
        request = case["request"]
        logits32 = numpy.asarray(request["logits"], dtype=numpy.float32)
        logits64 = numpy.asarray(request["logits"], dtype=numpy.float64)
        targets = numpy.asarray(request["targets"], dtype=numpy.float32)

        up = self.client.cross_entropy(logits32, targets, epsilon=0.0, include="all", dtype="float64")
        down = self.client.cross_entropy(logits64, targets, epsilon=0.0, include="all", dtype="float32")

        self.assertEqual((up.dtype, up.gradient.dtype), ("float64", numpy.float64))
        self.assertEqual((down.dtype, down.gradient.dtype), ("float32", numpy.float32))
        self.assert_matches_oracle(down, case["expected"], ["gradient"])
        numpy.testing.assert_allclose(up.gradient, down.gradient, rtol=1e-5, atol=1e-6)

    def test_lists_and_numpy_results_on_request(self) -> None:
        case = oracle_cases()["soft_targets_eps0_mean"]
        request = case["request"]

        as_lists = self.client.cross_entropy(numpy.asarray(request["logits"], dtype=numpy.float32), request["targets"],
                                             epsilon=0.0, include="all", as_numpy=False)
        forced = self.client.cross_entropy(request["logits"], request["targets"], epsilon=0.0, include="all",
                                           as_numpy=True)

        self.assertEqual(as_lists.transport, "v2")
        self.assertIsInstance(as_lists.gradient, list)
        self.assertEqual(forced.transport, "json", "lists go as JSON")
        self.assertIsInstance(forced.gradient, numpy.ndarray)
        self.assertEqual(forced.gradient.dtype, numpy.float32, "the precision computed in")
        numpy.testing.assert_array_equal(numpy.asarray(as_lists.gradient, dtype=numpy.float32), forced.gradient)
        self.assert_matches_oracle(as_lists, case["expected"], ["gradient"])

    def test_class_indices_of_any_integer_dtype_are_sent_as_integers(self) -> None:
        case = oracle_cases()["weights_eps0.2_mean_N6_C4"]
        request = case["request"]
        logits = numpy.asarray(request["logits"], dtype=numpy.float32)
        expected = self.client.cross_entropy(logits, numpy.asarray(request["targets"], dtype=numpy.int64),
                                             epsilon=0.2, class_weights=request["classWeights"], include="all")

        for dtype in (numpy.int32, numpy.uint8, numpy.int16):
            with self.subTest(dtype.__name__):
                result = self.client.cross_entropy(logits, numpy.asarray(request["targets"], dtype=dtype),
                                                   epsilon=0.2, class_weights=request["classWeights"], include="all")
                numpy.testing.assert_array_equal(result.gradient, expected.gradient)
                self.assertEqual(result.loss, expected.loss)

    def test_non_contiguous_and_big_endian_arrays_are_sent_as_their_values(self) -> None:
        rng = numpy.random.default_rng(3)
        logits = rng.standard_normal((5, 7))
        targets = numpy.array([0, 6, 3, 2, 1])
        expected = self.client.cross_entropy(logits, targets, include=["gradient"])

        transposed = numpy.ascontiguousarray(logits.T).T  # Fortran order
        swapped = logits.astype(">f8")
        for name, variant in (("Fortran order", transposed), ("big-endian", swapped)):
            with self.subTest(name):
                result = self.client.cross_entropy(variant, targets, include=["gradient"], dtype="float64")
                numpy.testing.assert_array_equal(result.gradient, expected.gradient)

    def test_numpy_scalars_inside_lists_are_sent_as_numbers(self) -> None:
        case = oracle_cases()["seed_example_N2_C10_t2_5_eps0.1"]
        rows = [numpy.asarray(row, dtype=numpy.float32) for row in case["request"]["logits"]]

        result = cross_entropy(rows, [numpy.int64(2), numpy.int32(5)], num_classes=numpy.int64(10),
                               base_url=service_url())

        self.assertEqual(result.transport, "json", "a list (of arrays) goes as JSON")
        self.assertIsInstance(result.smoothed_targets, list, "the logits were a list: lists come back")
        self.assert_close(result.loss, case["expected"]["loss"], "loss")

    def test_results_are_writable_arrays(self) -> None:
        result = self.client.cross_entropy(numpy.zeros((2, 3), dtype=numpy.float32), numpy.array([0, 1]),
                                           include=["gradient"])

        gradient = result.gradient
        self.assertTrue(gradient.flags.writeable, "a view of the answer's own buffer, not of read-only bytes")
        gradient *= 2


if __name__ == "__main__":
    unittest.main()
