"""The JSON the client writes, captured by a local stand-in server (no loss-service needed)."""

from __future__ import annotations

import json
import threading
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Dict, List

from loss_service_client import LossServiceClient, LossServiceError


class _RecordingHandler(BaseHTTPRequestHandler):
    """Records each request, answers with the server's canned status and body."""

    def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
        length = int(self.headers["Content-Length"])
        self.server.requests.append({"path": self.path, "headers": dict(self.headers),
                                     "body": json.loads(self.rfile.read(length))})
        status, content_type, body = self.server.answer
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class RequestBodyTests(unittest.TestCase):

    def setUp(self) -> None:
        self.server = HTTPServer(("127.0.0.1", 0), _RecordingHandler)
        self.server.requests: List[Dict[str, Any]] = []
        self.server.answer = (200, "application/json",
                              b'{"loss":1.5,"batchSize":1,"numClasses":2,"epsilon":0.1,"reduction":"mean",'
                              b'"backend":"cpu","dtype":"float32","futureField":true}')
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.client = LossServiceClient(f"http://127.0.0.1:{self.server.server_address[1]}/", timeout=10)

    def tearDown(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def sent(self) -> Dict[str, Any]:
        self.assertEqual(len(self.server.requests), 1)
        return self.server.requests[0]

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
                                           ignore_index=None, dtype="float64", extra={"futureOption": [1, 2]})

        self.assertEqual(self.sent()["body"], {"logits": [[[1.0, 2.0], [3.0, 4.0]]], "targets": [[0, 1]],
                                               "dtype": "float64", "futureOption": [1, 2]})
        self.assertEqual(result.loss, 1.5)
        self.assertEqual(result.dtype, "float32")
        self.assertEqual(result.extra_fields, {"futureField": True})

    def test_a_field_given_twice_is_refused_before_sending(self) -> None:
        with self.assertRaises(TypeError):
            self.client.cross_entropy([[1, 2]], [1], extra={"epsilon": 0.3})
        self.assertEqual(self.server.requests, [])

    def test_nan_is_refused_before_sending(self) -> None:
        with self.assertRaises(ValueError):
            self.client.cross_entropy([[1.0, float("nan")]], [1])
        self.assertEqual(self.server.requests, [])

    def test_an_error_that_is_not_problem_json_still_raises(self) -> None:
        self.server.answer = (502, "text/html", b"<html>Bad gateway</html>")

        with self.assertRaises(LossServiceError) as raised:
            self.client.cross_entropy([[1, 2]], [1])

        self.assertEqual(raised.exception.status, 502)
        self.assertEqual(raised.exception.type, "about:blank")
        self.assertIn("Bad gateway", raised.exception.detail)


if __name__ == "__main__":
    unittest.main()
