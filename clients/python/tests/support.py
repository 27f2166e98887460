"""What the tests share: the service URL, the project's oracle vectors, tolerances, and stand-in servers."""

from __future__ import annotations

import json
import math
import os
import re
import threading
import unittest
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

# The PyTorch vectors the Java tests use too (src/test/resources/oracle, see its README), read in place.
ORACLE_DIR = Path(__file__).resolve().parents[3] / "src" / "test" / "resources" / "oracle"

try:
    import numpy
except ImportError:  # pragma: no cover - depends on the machine
    numpy = None

needs_numpy = unittest.skipIf(numpy is None, "numpy is not installed")


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


def valid_oracle_cases(*file_names: str) -> List[Dict[str, Any]]:
    """The cases with a JSON request and a 200 answer, of the given files."""
    return [case for file_name in file_names for case in oracle_cases(file_name).values()
            if case["expected_status"] == 200 and isinstance(case.get("request"), dict)]


def loss_of(case: Dict[str, Any]) -> str:
    """The loss an oracle case is for (its endpoint's last segment)."""
    return case.get("endpoint", "/v1/losses/cross-entropy").rsplit("/", 1)[-1]


def snake_case(name: str) -> str:
    """``classWeights`` -> ``class_weights``: the keyword of the client for a request member."""
    return re.sub(r"([A-Z])", lambda match: "_" + match.group(1).lower(), name)


def keyword_arguments(request: Dict[str, Any]) -> Dict[str, Any]:
    """An oracle request as keyword arguments of the client's methods (lists stay lists: the JSON transport)."""
    return {snake_case(name): value for name, value in request.items()}


def numpy_arguments(request: Dict[str, Any]) -> Dict[str, Any]:
    """An oracle request as keyword arguments with numpy arrays (the V2 transport): floats as float64 arrays and
    integers as int64 ones, with the request's dtype (float32 by default) given explicitly."""
    arguments = keyword_arguments(request)
    for name, value in list(arguments.items()):
        if isinstance(value, list):
            arguments[name] = numpy.asarray(value)
    arguments.setdefault("dtype", "float32")
    return arguments


class OracleAssertions(unittest.TestCase):
    """Results against the float64 oracle: float32 within ``1e-6 + 1e-5 |e|``, float64 within ``1e-12 + 1e-10 |e|``."""

    def tolerance(self, result: Any) -> Tuple[float, float]:
        return (1e-12, 1e-10) if result.dtype == "float64" else (1e-6, 1e-5)

    def assert_close(self, actual: Any, expected: Any, where: str = "", tolerance: Tuple[float, float] = (1e-6, 1e-5)
                     ) -> None:
        if expected is None or expected == "NaN":  # null, or the oracle's undefined result: null on the wire
            self.assertIsNone(actual, where)
            return
        if isinstance(expected, list):
            actual_list = actual.tolist() if hasattr(actual, "tolist") else actual
            self.assertIsInstance(actual_list, list, where)
            self.assertEqual(len(actual_list), len(expected), f"{where}: length")
            for index, (actual_item, expected_item) in enumerate(zip(actual_list, expected)):
                self.assert_close(actual_item, expected_item, f"{where}[{index}]", tolerance)
            return
        self.assertIsNotNone(actual, where)
        self.assertTrue(math.isfinite(actual), f"{where}: {actual}")
        absolute, relative = tolerance
        self.assertLessEqual(abs(actual - expected), absolute + relative * abs(expected),
                             f"{where}: {actual} != {expected}")

    def assert_matches_oracle(self, result: Any, expected: Dict[str, Any],
                              outputs: Iterable[str] = ()) -> None:
        """The loss and every array the result carries (a gradient is null when the loss is undefined); the members
        named in ``outputs`` must be there. The scalars the JSON API echoes are checked on that transport."""
        tolerance = self.tolerance(result)
        undefined = expected["loss"] == "NaN"
        self.assert_close(result.loss, expected["loss"], "loss", tolerance)
        self.assertEqual(result.reduction, expected["reduction"])
        if "shape" in expected:
            self.assertEqual(list(result.shape), expected["shape"])
        if result.transport == "json":
            for attribute, member in (("batch_size", "batchSize"), ("num_classes", "numClasses")):
                if member in expected:
                    self.assertEqual(getattr(result, attribute), expected[member], attribute)
            self.assert_close(result.epsilon, expected["epsilon"], "epsilon")
            self.assertIn(result.backend, ("cpu", "cuda"))
        else:
            self.assertIsNone(result.backend, "the V2 transport does not say")
        required = set(outputs)
        for member, value in expected.items():
            if not isinstance(value, list) or member == "shape":
                continue
            attribute = snake_case(member)
            actual = getattr(result, attribute)
            if member == "gradient" and undefined:
                self.assertIsNone(actual, "the gradient of an undefined loss")
            elif actual is not None:
                self.assert_close(actual, value, member, tolerance)
            else:
                self.assertNotIn(attribute, required, f"{attribute} was asked for")


# ---- stand-in servers for the tests of the connection (no loss-service needed) ------------------------------------


class StandInServer:
    """A local HTTP/1.1 server on 127.0.0.1 that records each request and answers from a list of canned answers
    (the last one repeats). An answer is ``(status, headers, body)``; ``close_after_each`` drops the connection after
    each answer without saying so (as a server's idle timeout does). ``GET /v1/losses`` is answered apart, with
    ``catalogue`` (default: 404, as a service older than the catalogue; the client then uses its own), and recorded
    in ``catalogue_requests``, not in ``requests``."""

    def __init__(self, answers: List[Tuple[int, Dict[str, str], bytes]], close_after_each: bool = False,
                 catalogue: Optional[Tuple[int, Dict[str, str], bytes]] = None) -> None:
        self.answers = list(answers)
        self.close_after_each = close_after_each
        self.catalogue = catalogue or NO_CATALOGUE
        self.requests: List[Dict[str, Any]] = []
        self.catalogue_requests = 0
        self.connections = 0
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with owner.lock:
                    owner.connections += 1

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with owner.lock:
                    if self.command == "GET" and self.path == "/v1/losses":
                        owner.catalogue_requests += 1
                        status, headers, answer = owner.catalogue
                    else:
                        owner.requests.append({"method": self.command, "path": self.path,
                                               "headers": dict(self.headers), "body": body})
                        index = min(len(owner.requests) - 1, len(owner.answers) - 1)
                        status, headers, answer = owner.answers[index]
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                self.wfile.flush()
                if owner.close_after_each:
                    self.close_connection = True

            do_GET = do_POST = _answer  # noqa: N815 - the names http.server dispatches to

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "StandInServer":
        self.thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def json_bodies(self) -> List[Any]:
        return [json.loads(request["body"]) if request["body"] else None for request in self.requests]


def json_answer(document: Any, status: int = 200, headers: Optional[Dict[str, str]] = None,
                content_type: str = "application/json") -> Tuple[int, Dict[str, str], bytes]:
    return status, {"Content-Type": content_type, **(headers or {})}, json.dumps(document).encode("utf-8")


NO_CATALOGUE = json_answer({"type": "tag:loss-service,2026:problems/not-found", "title": "Not found", "status": 404},
                           status=404, content_type="application/problem+json")

CE_ANSWER = json_answer({"loss": 1.5, "batchSize": 1, "numClasses": 2, "epsilon": 0.1, "reduction": "mean",
                         "backend": "cpu", "dtype": "float32", "shape": [1, 2]})


def timed(function: Callable[[], Any]) -> Tuple[Any, float]:
    import time

    start = time.monotonic()
    value = function()
    return value, time.monotonic() - start
