"""What the tests share: the service URL, the project's oracle vectors and the float32 tolerance."""

from __future__ import annotations

import json
import math
import os
import re
import unittest
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

# The PyTorch vectors the Java tests use too (src/test/resources/oracle, see its README), read in place.
ORACLE_DIR = Path(__file__).resolve().parents[3] / "src" / "test" / "resources" / "oracle"


def service_url() -> str:
    """The running service under test. Unset is an error, not a reason to skip: these tests exist to call it."""
    url = os.environ.get("LOSS_SERVICE_URL")
    if not url:
        raise RuntimeError("set LOSS_SERVICE_URL to the root of a running loss-service, e.g. http://127.0.0.1:8080")
    return url


@lru_cache(maxsize=None)
def oracle_cases(file_name: str = "cases.json") -> Dict[str, Dict[str, Any]]:
    """The cases of an oracle file by name."""
    with open(ORACLE_DIR / file_name, encoding="utf-8") as file:
        return {case["name"]: case for case in json.load(file)["cases"]}


def snake_case(name: str) -> str:
    """``classWeights`` -> ``class_weights``: the keyword of the client for a request member."""
    return re.sub(r"([A-Z])", lambda match: "_" + match.group(1).lower(), name)


def keyword_arguments(request: Dict[str, Any]) -> Dict[str, Any]:
    """An oracle request as keyword arguments of ``cross_entropy``."""
    return {snake_case(name): value for name, value in request.items()}


class OracleAssertions(unittest.TestCase):
    """Float32 results against the float64 oracle: ``|actual - expected| <= 1e-6 + 1e-5 * |expected|``."""

    def assert_close(self, actual: Any, expected: Any, where: str = "") -> None:
        if expected is None or expected == "NaN":  # null, or the oracle's undefined result: null on the wire
            self.assertIsNone(actual, where)
            return
        if isinstance(expected, list):
            actual_list = actual.tolist() if hasattr(actual, "tolist") else actual
            self.assertIsInstance(actual_list, list, where)
            self.assertEqual(len(actual_list), len(expected), f"{where}: length")
            for index, (actual_item, expected_item) in enumerate(zip(actual_list, expected)):
                self.assert_close(actual_item, expected_item, f"{where}[{index}]")
            return
        self.assertIsNotNone(actual, where)
        self.assertTrue(math.isfinite(actual), f"{where}: {actual}")
        self.assertLessEqual(abs(actual - expected), 1e-6 + 1e-5 * abs(expected),
                             f"{where}: {actual} != {expected}")

    def assert_matches_oracle(self, result: Any, expected: Dict[str, Any]) -> None:
        """The scalars, and every array the result carries (a gradient is null when the loss is undefined)."""
        self.assert_close(result.loss, expected["loss"], "loss")
        self.assertEqual(result.batch_size, expected["batchSize"])
        self.assertEqual(result.num_classes, expected["numClasses"])
        self.assertEqual(result.reduction, expected["reduction"])
        self.assert_close(result.epsilon, expected["epsilon"], "epsilon")
        self.assertIn(result.backend, ("cpu", "cuda"))
        for attribute, member in (("per_sample_loss", "perSampleLoss"), ("smoothed_targets", "smoothedTargets"),
                                  ("probabilities", "probabilities"), ("gradient", "gradient")):
            if member not in result.raw:
                self.assertIsNone(getattr(result, attribute), attribute)
            elif member == "gradient" and expected["loss"] == "NaN":
                self.assertIsNone(result.gradient, "the gradient of an undefined loss")
            else:
                self.assert_close(getattr(result, attribute), expected[member], member)
