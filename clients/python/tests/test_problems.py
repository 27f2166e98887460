"""4xx answers raise LossServiceError carrying the problem details."""

from __future__ import annotations

import socket
import unittest

from loss_service_client import LossServiceClient, LossServiceConnectionError, LossServiceError, cross_entropy

from .support import oracle_cases, service_url

INVALID_REQUEST = "tag:loss-service,2026:problems/invalid-request"


class InvalidRequestTests(unittest.TestCase):

    def test_every_violation_is_reported_with_its_pointer(self) -> None:
        with self.assertRaises(LossServiceError) as raised:
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


class OtherProblemTests(unittest.TestCase):

    def test_a_wrong_path_is_a_404_problem(self) -> None:
        with self.assertRaises(LossServiceError) as raised:
            LossServiceClient(service_url().rstrip("/") + "/no-such-prefix").backend()

        self.assertEqual(raised.exception.status, 404)
        self.assertEqual(raised.exception.type, "tag:loss-service,2026:problems/not-found")
        self.assertEqual(raised.exception.errors, [])

    def test_an_unreachable_service_raises_a_connection_error(self) -> None:
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]  # bound but not listening: connections are refused
            with self.assertRaises(LossServiceConnectionError) as raised:
                LossServiceClient(f"http://127.0.0.1:{port}", timeout=5).backend()

        self.assertIsNone(raised.exception.status)
        self.assertIsInstance(raised.exception, ConnectionError)
        self.assertIsInstance(raised.exception, LossServiceError)


if __name__ == "__main__":
    unittest.main()
