"""4xx answers raise typed errors carrying the problem details, the same through both transports."""

from __future__ import annotations

import socket
import unittest

from loss_service_client import (InvalidRequestError, LossServiceClient, LossServiceConnectionError, LossServiceError,
                                 NotFoundError, ProblemError, cross_entropy)
from loss_service_client.errors import parse_inference_message

from .support import StandInServer, needs_numpy, numpy, oracle_cases, service_url

INVALID_REQUEST = "tag:loss-service,2026:problems/invalid-request"


class InvalidRequestTests(unittest.TestCase):

    def test_every_violation_is_reported_with_its_pointer(self) -> None:
        with self.assertRaises(InvalidRequestError) as raised:
            cross_entropy([[0.2, 1.5, -0.3], [1.0, 2.0, 0.4]], [1, 3], epsilon=1.5, class_weights=[1.0, -2.0, 1.0],
                          base_url=service_url())

        error = raised.exception
        self.assertEqual(error.status, 422)
        self.assertEqual(error.type, INVALID_REQUEST)
        self.assertEqual(error.title, "Invalid request")
        self.assertIn("3", error.detail)
        self.assertEqual(error.instance, "/v1/losses/cross-entropy")
        self.assertCountEqual(error.pointers, ["/epsilon", "/targets/1", "/classWeights/1"])
        self.assertTrue(all(problem_error.message for problem_error in error.errors))
        self.assertEqual(error.problem["status"], 422)
        self.assertIn("/epsilon", str(error))

    def test_invalid_oracle_requests_raise_with_the_expected_pointer(self) -> None:
        client = LossServiceClient(service_url())
        cases = [case for case in oracle_cases("invalid.json").values()
                 if case["expected_status"] == 422 and isinstance(case.get("request"), dict)]
        self.assertGreater(len(cases), 10)
        for case in cases:
            with self.subTest(case["name"]):
                request = dict(case["request"])
                with self.assertRaises(LossServiceError) as raised:
                    # Every member as it is in the oracle, none of the client's defaults added.
                    client.cross_entropy(request.pop("logits", None), request.pop("targets", None), epsilon=None,
                                         label_smooth=None, reduction=None, ignore_index=None, extra=request)
                self.assertEqual(raised.exception.status, 422)
                self.assertIn(case["pointer"], raised.exception.pointers)

    def test_a_string_among_the_logits_is_pointed_at(self) -> None:
        with self.assertRaises(LossServiceError) as raised:
            cross_entropy([[0.2, 1.5, -0.3], [1.0, "NaN", 0.4]], [1, 2], base_url=service_url())

        self.assertEqual(raised.exception.pointers, ["/logits/1/1"])
        self.assertIn("NaN", raised.exception.errors[0].message)

    def test_unknown_fields_pass_through_to_the_service(self) -> None:
        with self.assertRaises(LossServiceError) as raised:
            cross_entropy([[0.2, 1.5]], [1], base_url=service_url(), extra={"notAField": 1}, other_field=2)

        self.assertEqual(raised.exception.status, 422)
        self.assertCountEqual(raised.exception.pointers, ["/notAField", "/otherField"])


class BothTransportsTests(unittest.TestCase):
    """The V2 model answers {"error": "..."} with 400; the client raises the same type with the same pointers."""

    def setUp(self) -> None:
        self.client = LossServiceClient(service_url())
        self.addCleanup(self.client.close)

    def test_every_violation_has_the_same_pointer_through_json_and_v2(self) -> None:
        errors = {}
        for transport in ("json", "v2"):
            with self.subTest(transport), self.assertRaises(InvalidRequestError) as raised:
                self.client.cross_entropy([[0.2, 1.5, -0.3], [1.0, 2.0, 0.4]], [1, 3], epsilon=1.5,
                                          class_weights=[1.0, -2.0, 1.0], reduction="median", transport=transport)
            errors[transport] = raised.exception
        self.assertEqual((errors["json"].status, errors["v2"].status), (422, 400))
        self.assertEqual((errors["json"].transport, errors["v2"].transport), ("json", "v2"))
        self.assertCountEqual(errors["v2"].pointers, errors["json"].pointers)
        self.assertCountEqual(errors["v2"].pointers, ["/epsilon", "/targets/1", "/classWeights/1", "/reduction"])
        self.assertEqual(errors["v2"].instance, "/v2/models/cross-entropy/infer")
        self.assertIn("class index 3", errors["v2"].detail)
        self.assertTrue(all(error.message for error in errors["v2"].errors))

    @needs_numpy
    def test_numpy_inputs_are_pointed_at_in_the_json_apis_names(self) -> None:
        with self.assertRaises(InvalidRequestError) as raised:
            self.client.binary_cross_entropy(numpy.zeros((2, 3), numpy.float32), numpy.full((2, 3), 0.5),
                                             pos_weight=numpy.array([1.0, -1.0, 1.0]), epsilon=-0.5)
        self.assertEqual(raised.exception.transport, "v2")
        self.assertCountEqual(raised.exception.pointers, ["/posWeight/1", "/epsilon"])

    def test_an_unknown_loss_is_not_found_on_both_transports(self) -> None:
        for transport in ("json", "v2"):
            with self.subTest(transport), self.assertRaises(NotFoundError) as raised:
                self.client.compute("median-loss", logits=[[1.0, 2.0]], transport=transport)
            self.assertEqual(raised.exception.status, 404)
            self.assertIn("cross-entropy", raised.exception.detail, "the error names the losses there are")

    def test_a_v2_message_without_pointers_is_kept_whole(self) -> None:
        message = "Unknown model \"x\"; the models are binary-cross-entropy, cross-entropy."
        self.assertEqual(parse_inference_message(message, lambda kind, name: None), ())

    def test_v2_messages_are_read_back_into_pointers(self) -> None:
        names = {("input", "class_weights"): "classWeights", ("parameter", "ignore_index"): "ignoreIndex"}

        def json_name(kind: str, name: str):
            return names.get((kind, name), name)

        self.assertEqual(parse_inference_message("input class_weights[1]: must be >= 0, found -2.0.", json_name),
                         (ProblemError("/classWeights/1", "must be >= 0, found -2.0"),))
        self.assertEqual(parse_inference_message(
            "The request breaks 4 rules: parameter ignore_index: expected an integer; found 1.5; input "
            "logits[0][2]: expected a finite number; outputs: unknown output \"x\"; /inputs/1/shape: a dimension "
            "must be >= 0, found -1; and 3 more.", json_name),
            (ProblemError("/ignoreIndex", "expected an integer; found 1.5"),
             ProblemError("/logits/0/2", "expected a finite number"),
             ProblemError("/include", "unknown output \"x\""),
             ProblemError("/inputs/1/shape", "a dimension must be >= 0, found -1")))

    def test_a_v2_error_that_is_not_json_still_raises_its_type(self) -> None:
        with StandInServer([(502, {"Content-Type": "text/html"}, b"<html>Bad gateway</html>")]) as server, \
                LossServiceClient(server.url, transport="v2") as client:
            with self.assertRaises(LossServiceError) as raised:
                client.cross_entropy([[1.0, 2.0]], [1])
        self.assertEqual(raised.exception.status, 502)
        self.assertEqual(raised.exception.title, "Bad Gateway")
        self.assertIn("Bad gateway", raised.exception.detail)


class OtherProblemTests(unittest.TestCase):

    def test_a_wrong_path_is_a_404_problem(self) -> None:
        with self.assertRaises(NotFoundError) as raised:
            LossServiceClient(service_url().rstrip("/") + "/no-such-prefix").backend()

        self.assertEqual(raised.exception.status, 404)
        self.assertEqual(raised.exception.type, "tag:loss-service,2026:problems/not-found")
        self.assertEqual(raised.exception.errors, [])

    def test_an_unreachable_service_raises_a_connection_error(self) -> None:
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]  # bound but not listening: connections are refused
            with self.assertRaises(LossServiceConnectionError) as raised:
                LossServiceClient(f"http://127.0.0.1:{port}", timeout=5, retries=0).backend()

        self.assertIsNone(raised.exception.status)
        self.assertIsInstance(raised.exception, ConnectionError)
        self.assertIsInstance(raised.exception, LossServiceError)


if __name__ == "__main__":
    unittest.main()
