"""The JSON the client writes, captured by a local stand-in server (no loss-service needed)."""

from __future__ import annotations

import unittest
from typing import Any, Dict

from loss_service_client import LossServiceClient, LossServiceError, ServerError

from .support import CE_ANSWER, StandInServer, json_answer


class RequestBodyTests(unittest.TestCase):

    def setUp(self) -> None:
        answer = json_answer({"loss": 1.5, "batchSize": 1, "numClasses": 2, "epsilon": 0.1, "reduction": "mean",
                              "backend": "cpu", "dtype": "float32", "futureField": True})
        self.server = StandInServer([answer]).__enter__()
        self.addCleanup(self.server.__exit__)
        self.client = LossServiceClient(self.server.url + "/", timeout=10)
        self.addCleanup(self.client.close)

    def sent(self) -> Dict[str, Any]:
        self.assertEqual(len(self.server.requests), 1)
        return dict(self.server.requests[0], body=self.server.json_bodies()[0])

    def test_the_signature_maps_to_the_wire_names(self) -> None:
        self.client.cross_entropy([[1, 2]], [1], epsilon=0.2, class_weights=[1, 3], num_classes=2,
                                  include=["per_sample_loss", "gradient"])

        request = self.sent()
        self.assertEqual(request["path"], "/v1/losses/cross-entropy")
        self.assertEqual(request["headers"]["Content-Type"], "application/json")
        self.assertEqual(request["body"], {"logits": [[1, 2]], "targets": [1], "epsilon": 0.2, "labelSmooth": True,
                                           "numClasses": 2, "reduction": "mean", "classWeights": [1, 3],
                                           "ignoreIndex": -100, "include": ["perSampleLoss", "gradient"]})

    def test_none_leaves_a_member_out_and_new_fields_pass_through(self) -> None:
        logits = (((1.0, 2.0), (3.0, 4.0)),)  # nested tuples, three levels: the service judges the shape
        result = self.client.cross_entropy(logits, [[0, 1]], epsilon=None, label_smooth=None, reduction=None,
                                           ignore_index=None, dtype="float64", extra={"futureOption": [1, 2]},
                                           other_option=3)

        self.assertEqual(self.sent()["body"], {"logits": [[[1.0, 2.0], [3.0, 4.0]]], "targets": [[0, 1]],
                                               "dtype": "float64", "otherOption": 3, "futureOption": [1, 2]})
        self.assertEqual(result.loss, 1.5)
        self.assertEqual(result.dtype, "float32")
        self.assertEqual(result.extra_fields, {"futureField": True})
        self.assertIs(result.future_field, True)

    def test_include_takes_python_or_wire_names_or_all(self) -> None:
        self.client.binary_cross_entropy([[0.5]], [[1.0]], include="all")
        self.client.binary_cross_entropy([[0.5]], [[1.0]], include=["elementLoss", "smoothed_targets"])

        bodies = self.server.json_bodies()
        self.assertEqual(bodies[0]["include"], ["smoothedTargets", "elementLoss", "probabilities", "gradient"])
        self.assertEqual(bodies[1]["include"], ["elementLoss", "smoothedTargets"])
        self.assertEqual(self.server.requests[0]["path"], "/v1/losses/binary-cross-entropy")

    def test_a_field_given_twice_is_refused_before_sending(self) -> None:
        with self.assertRaises(TypeError):
            self.client.cross_entropy([[1, 2]], [1], extra={"epsilon": 0.3})
        self.assertEqual(self.server.requests, [])

    def test_nan_is_refused_before_sending(self) -> None:
        with self.assertRaises(ValueError):
            self.client.cross_entropy([[1.0, float("nan")]], [1])
        self.assertEqual(self.server.requests, [])

    def test_an_error_that_is_not_problem_json_still_raises(self) -> None:
        self.server.answers = [(502, {"Content-Type": "text/html"}, b"<html>Bad gateway</html>")]

        with self.assertRaises(ServerError) as raised:
            self.client.cross_entropy([[1, 2]], [1])

        self.assertIsInstance(raised.exception, LossServiceError)
        self.assertEqual(raised.exception.status, 502)
        self.assertEqual(raised.exception.type, "about:blank")
        self.assertIn("Bad gateway", raised.exception.detail)


# The service's cross-entropy as a later version might define it: `epsilon` renamed `smoothing` (default 0.2),
# `logits` renamed `scores`, reduction "sum" by default.
def _changed_cross_entropy() -> Dict[str, Any]:
    from loss_service_client._generated import CATALOGUE
    import copy

    entry = copy.deepcopy(next(loss for loss in CATALOGUE["losses"] if loss["name"] == "cross-entropy"))
    entry["inputs"][0].update(name="scores", tensor="scores")
    for scalar in entry["scalars"]:
        if scalar["name"] == "epsilon":
            scalar.update(name="smoothing", parameter="smoothing", defaultValue=0.2)
    entry["defaultReduction"] = "sum"
    return entry


class ChangedLossTests(unittest.TestCase):
    """A service that defines a generated loss otherwise than this client was generated from: the generated method
    still works, and the client's method becomes the service's."""

    def test_a_generated_method_fits_its_call_to_the_services_definition(self) -> None:
        catalogue = json_answer({"losses": [_changed_cross_entropy()]})
        with StandInServer([CE_ANSWER], catalogue=catalogue) as server, LossServiceClient(server.url) as client:
            generated = LossServiceClient.cross_entropy
            generated(client, [[1.0, 2.0]], [1])                       # the generated defaults, a positional input
            generated(client, [[1.0, 2.0]], [1], epsilon=0.3, reduction="mean", ignore_index=5)
            method = client.cross_entropy                              # now the service's
            method([[1.0, 2.0]], [1], smoothing=0.3)

        first, second, third = server.json_bodies()
        self.assertEqual(first, {"scores": [[1.0, 2.0]], "targets": [1], "labelSmooth": True, "reduction": "mean",
                                 "ignoreIndex": -100},
                         "epsilon=0.1 was the generated default of a parameter the service no longer has")
        self.assertEqual(second, {"scores": [[1.0, 2.0]], "targets": [1], "epsilon": 0.3, "labelSmooth": True,
                                  "reduction": "mean", "ignoreIndex": 5},
                         "what the caller gave is sent (the service refuses epsilon, with its pointer)")
        self.assertEqual(third, {"scores": [[1.0, 2.0]], "targets": [1], "smoothing": 0.3, "labelSmooth": True,
                                 "ignoreIndex": -100, "reduction": "sum"})
        self.assertIn("smoothing", method.__doc__)

    def test_an_unchanged_loss_keeps_the_generated_method(self) -> None:
        from loss_service_client._generated import CATALOGUE

        with StandInServer([CE_ANSWER], catalogue=json_answer(CATALOGUE)) as server, \
                LossServiceClient(server.url) as client:
            client.catalogue()
            self.assertEqual(client.cross_entropy.__func__, LossServiceClient.cross_entropy)


if __name__ == "__main__":
    unittest.main()
