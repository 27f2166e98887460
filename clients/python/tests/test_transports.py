"""The project's PyTorch vectors through both transports: lists over the JSON API, numpy arrays over the V2 model's
binary tensors, each against the oracle and against the other."""

from __future__ import annotations

import unittest

from loss_service_client import LossServiceClient

from .support import (OracleAssertions, keyword_arguments, loss_of, needs_numpy, numpy, numpy_arguments,
                      service_url, snake_case, valid_oracle_cases)

# Cross-entropy (2-D, K-dimensional, float64) and binary cross-entropy.
ORACLE_FILES = ("cases.json", "kdim.json", "float64.json", "bce.json")


def method_name(case) -> str:
    return loss_of(case).replace("-", "_")


@needs_numpy
class OracleOverBothTransportsTests(OracleAssertions):

    @classmethod
    def setUpClass(cls) -> None:
        cls.client = LossServiceClient(service_url())

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()

    def test_every_valid_case_as_numpy_arrays_over_v2(self) -> None:
        cases = valid_oracle_cases(*ORACLE_FILES)
        self.assertGreater(len(cases), 100)
        for case in cases:
            with self.subTest(case["name"]):
                arguments = numpy_arguments(case["request"])
                arguments.setdefault("include", "all")
                result = getattr(self.client, method_name(case))(**arguments)
                self.assertEqual(result.transport, "v2")
                self.assertEqual(result.dtype, case["request"].get("dtype", "float32"))
                self.assert_matches_oracle(result, case["expected"])

    def test_every_valid_case_gives_the_same_numbers_through_json_and_v2(self) -> None:
        for case in valid_oracle_cases(*ORACLE_FILES):
            with self.subTest(case["name"]):
                method = getattr(self.client, method_name(case))
                by_json = method(**dict(keyword_arguments(case["request"]), include="all"), as_numpy=True)
                by_v2 = method(**dict(numpy_arguments(case["request"]), include="all"))
                self.assertEqual((by_json.transport, by_v2.transport), ("json", "v2"))
                self.assertEqual(by_json.dtype, by_v2.dtype)
                self.assertEqual(by_json.loss is None, by_v2.loss is None)
                if by_json.loss is not None:
                    # JSON carries the float32 loss as its shortest decimal, V2 as its bits: the same float32.
                    self.assertEqual(numpy.asarray(by_json.loss, by_json.dtype), numpy.asarray(by_v2.loss, by_v2.dtype))
                for member in case["expected"]:
                    attribute = snake_case(member)
                    expected = getattr(by_json, attribute, None)
                    if not isinstance(expected, numpy.ndarray):
                        continue
                    actual = getattr(by_v2, attribute)
                    self.assertEqual(actual.dtype, expected.dtype, attribute)
                    numpy.testing.assert_array_equal(actual, expected, err_msg=attribute)


class ForcedTransportTests(OracleAssertions):

    def test_lists_over_v2_come_back_as_lists(self) -> None:
        case = valid_oracle_cases("cases.json")[0]
        with LossServiceClient(service_url(), transport="v2") as client:
            result = client.cross_entropy(**dict(keyword_arguments(case["request"]), include="all"))
        self.assertEqual(result.transport, "v2")
        self.assertIsInstance(result.gradient, list)
        self.assertIsNone(result.backend)
        self.assert_matches_oracle(result, case["expected"])

    def test_the_transport_of_one_call_overrides_the_clients(self) -> None:
        case = valid_oracle_cases("bce.json")[0]
        with LossServiceClient(service_url(), transport="json") as client:
            by_json = client.binary_cross_entropy(**keyword_arguments(case["request"]), include="all")
            by_v2 = client.binary_cross_entropy(**keyword_arguments(case["request"]), include="all", transport="v2")
        self.assertEqual((by_json.transport, by_v2.transport), ("json", "v2"))
        self.assert_matches_oracle(by_json, case["expected"])
        self.assert_matches_oracle(by_v2, case["expected"])

    @needs_numpy
    def test_numpy_arrays_over_json_when_asked(self) -> None:
        case = valid_oracle_cases("kdim.json")[0]
        with LossServiceClient(service_url()) as client:
            result = client.cross_entropy(**dict(numpy_arguments(case["request"]), include="all"), transport="json")
        self.assertEqual(result.transport, "json")
        self.assertIn(result.backend, ("cpu", "cuda"))
        self.assertIsInstance(result.gradient, numpy.ndarray)
        self.assert_matches_oracle(result, case["expected"])

    def test_an_unknown_transport_is_refused(self) -> None:
        with self.assertRaises(ValueError):
            LossServiceClient(service_url(), transport="grpc")
        with LossServiceClient(service_url()) as client, self.assertRaises(ValueError):
            client.cross_entropy([[1.0, 2.0]], [0], transport="http")

    def test_the_defaults_of_reduction_none_and_of_include_match(self) -> None:
        logits, targets = [[0.2, 1.5, -0.3], [1.0, 0.1, 0.4]], [1, 0]
        with LossServiceClient(service_url()) as client:
            for transport in ("json", "v2"):
                with self.subTest(transport):
                    default = client.cross_entropy(logits, targets, transport=transport)
                    self.assertIsNotNone(default.smoothed_targets, "the default output")
                    self.assertIsNone(default.gradient)
                    none = client.cross_entropy(logits, targets, reduction="none", include=[], transport=transport)
                    self.assertIsNone(none.loss)
                    self.assertEqual(len(none.per_sample_loss), 2, "the unreduced loss comes with reduction none")
                    self.assertIsNone(none.smoothed_targets)


if __name__ == "__main__":
    unittest.main()
