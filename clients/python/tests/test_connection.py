"""One kept-alive connection per client, reopened when the server drops it; retries of a 503 after its Retry-After
and of refused or broken connections; one client shared between threads."""

from __future__ import annotations

import socket
import unittest
from concurrent.futures import ThreadPoolExecutor

from loss_service_client import (LossServiceClient, LossServiceConnectionError, LossServiceError,
                                 LossServiceTimeoutError, OverloadedError, cross_entropy, default_client)
from loss_service_client._http import parse_retry_after

from .support import CE_ANSWER, StandInServer, json_answer, needs_numpy, numpy, service_url, timed

OVERLOADED = json_answer({"type": "tag:loss-service,2026:problems/overloaded", "title": "Service overloaded",
                          "status": 503, "detail": "No computation slot became free within 200 ms.",
                          "instance": "/v1/losses/cross-entropy"},
                         status=503, headers={"Retry-After": "1", "Connection": "close"},
                         content_type="application/problem+json")
LOGITS, TARGETS = [[0.2, 1.5, -0.3], [1.0, 0.1, 0.4]], [1, 0]


class KeepAliveTests(unittest.TestCase):

    def test_many_calls_share_one_connection_to_the_service(self) -> None:
        with LossServiceClient(service_url()) as client:
            losses = [client.cross_entropy(LOGITS, TARGETS, transport=transport).loss
                      for transport in ("json", "v2") * 10]
            client.backend()
            self.assertEqual(client.connections_opened, 1)
            self.assertEqual(client.retried, 0)
        self.assertEqual(len(set(round(loss, 6) for loss in losses)), 1)

    def test_many_calls_share_one_connection_as_the_server_sees_it(self) -> None:
        with StandInServer([CE_ANSWER]) as server, LossServiceClient(server.url) as client:
            for _ in range(25):
                client.cross_entropy(LOGITS, TARGETS)
        self.assertEqual(len(server.requests), 25)
        self.assertEqual(server.catalogue_requests, 1, "the catalogue is read once")
        self.assertEqual(server.connections, 1)

    def test_the_module_functions_keep_one_client_per_service(self) -> None:
        with StandInServer([CE_ANSWER]) as server:
            for _ in range(5):
                cross_entropy(LOGITS, TARGETS, base_url=server.url)
            client = default_client(server.url)
            self.assertIs(default_client(server.url + "/"), client)
            client.close()
        self.assertEqual(server.connections, 1)

    def test_a_connection_the_server_closed_while_idle_is_opened_again(self) -> None:
        # The stand-in drops the connection after each answer without saying so, as an idle timeout does.
        with StandInServer([CE_ANSWER], close_after_each=True) as server, \
                LossServiceClient(server.url, retries=0) as client:
            for _ in range(3):
                self.assertEqual(client.cross_entropy(LOGITS, TARGETS).loss, 1.5)
        self.assertEqual(len(server.requests), 3, "each request was sent once")
        self.assertEqual(server.connections, 4, "one for the catalogue, one for each call")

    def test_connection_close_in_an_answer_is_honoured(self) -> None:
        closing = (CE_ANSWER[0], dict(CE_ANSWER[1], Connection="close"), CE_ANSWER[2])
        with StandInServer([closing]) as server, LossServiceClient(server.url, retries=0) as client:
            client.cross_entropy(LOGITS, TARGETS)
            client.cross_entropy(LOGITS, TARGETS)
            self.assertEqual(client.connections_opened, 2)


class RetryTests(unittest.TestCase):

    def test_a_503_is_sent_again_after_its_retry_after(self) -> None:
        with StandInServer([OVERLOADED, CE_ANSWER]) as server, LossServiceClient(server.url) as client:
            result, seconds = timed(lambda: client.cross_entropy(LOGITS, TARGETS))
            self.assertEqual(client.retried, 1)
        self.assertEqual(result.loss, 1.5)
        self.assertEqual(len(server.requests), 2)
        self.assertEqual(server.json_bodies()[0], server.json_bodies()[1], "the same request again")
        self.assertGreaterEqual(seconds, 0.95, "it waited the Retry-After of 1 s")
        self.assertLess(seconds, 5)

    @needs_numpy
    def test_a_503_of_the_v2_model_is_sent_again_too(self) -> None:
        overloaded = json_answer({"error": "No computation slot became free within 200 ms."}, status=503,
                                 headers={"Retry-After": "0"})
        header = b'{"model_name":"cross-entropy","model_version":"1","outputs":[' \
                 b'{"name":"loss","datatype":"FP32","shape":[1],"data":[1.5]}]}'
        ok = (200, {"Content-Type": "application/json"}, header)
        with StandInServer([overloaded, ok]) as server, LossServiceClient(server.url) as client:
            result = client.cross_entropy(numpy.zeros((2, 3), dtype=numpy.float32), numpy.array([0, 1]))
        self.assertEqual(result.loss, 1.5)
        self.assertEqual([request["path"] for request in server.requests],
                         ["/v2/models/cross-entropy/infer", "/v2/models/cross-entropy/infer"])
        self.assertEqual(server.requests[0]["body"], server.requests[1]["body"])

    def test_retries_are_bounded_and_the_last_503_is_raised_with_its_problem(self) -> None:
        with StandInServer([OVERLOADED]) as server, LossServiceClient(server.url, retries=2) as client:
            client._http._sleep = lambda seconds: None  # the waits are tested above
            with self.assertRaises(OverloadedError) as raised:
                client.cross_entropy(LOGITS, TARGETS)
        self.assertEqual(len(server.requests), 3, "one request and two retries")
        error = raised.exception
        self.assertEqual(error.status, 503)
        self.assertEqual(error.type, "tag:loss-service,2026:problems/overloaded")
        self.assertEqual(error.retry_after, 1.0)
        self.assertIn("computation slot", error.detail)

    def test_no_retries_when_asked_for_none(self) -> None:
        with StandInServer([OVERLOADED, CE_ANSWER]) as server, LossServiceClient(server.url, retries=0) as client:
            with self.assertRaises(OverloadedError):
                client.cross_entropy(LOGITS, TARGETS)
        self.assertEqual(len(server.requests), 1)

    def test_a_503_without_retry_after_or_with_a_long_one_is_not_waited_for(self) -> None:
        deadline = json_answer({"type": "tag:loss-service,2026:problems/deadline-exceeded", "status": 503,
                                "title": "Deadline exceeded"}, status=503)
        too_long = (OVERLOADED[0], dict(OVERLOADED[1], **{"Retry-After": "3600"}), OVERLOADED[2])
        for name, answer in (("no Retry-After", deadline), ("an hour", too_long)):
            with self.subTest(name), StandInServer([answer, CE_ANSWER]) as server, \
                    LossServiceClient(server.url, max_retry_wait=30) as client:
                with self.assertRaises(OverloadedError):
                    client.cross_entropy(LOGITS, TARGETS)
                self.assertEqual(len(server.requests), 1)

    def test_a_refused_connection_is_retried_then_raised(self) -> None:
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]  # bound but not listening: connections are refused
            with LossServiceClient(f"http://127.0.0.1:{port}", retries=2) as client:
                waits = []
                client._http._sleep = waits.append
                with self.assertRaises(LossServiceConnectionError) as raised:
                    client.backend()
        self.assertEqual(waits, [0.1, 0.2], "backoff between the attempts")
        self.assertIsNone(raised.exception.status)
        self.assertIsInstance(raised.exception, ConnectionError)
        self.assertIsInstance(raised.exception, LossServiceError)

    def test_a_timeout_is_raised_at_once(self) -> None:
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(1)  # accepts, never answers
            with LossServiceClient(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.3) as client:
                with self.assertRaises(LossServiceTimeoutError):
                    client.backend()
                self.assertEqual(client.retried, 0)

    def test_retry_after_as_seconds_or_a_date(self) -> None:
        self.assertEqual(parse_retry_after("3"), 3.0)
        self.assertEqual(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0), 10.0)
        self.assertIsNone(parse_retry_after("soon"))
        self.assertIsNone(parse_retry_after(None))


class ThreadTests(unittest.TestCase):

    def test_one_client_shared_by_threads_gives_each_its_own_answer(self) -> None:
        with LossServiceClient(service_url()) as client:
            def call(index: int):
                logits = [[float(index), 0.0, 1.0], [0.5, float(index) / 2, -1.0]]
                transport = "v2" if index % 2 else "json"
                return index, client.cross_entropy(logits, [index % 3, 2], epsilon=0.0, transport=transport).loss

            with ThreadPoolExecutor(max_workers=8) as pool:
                shared = dict(pool.map(call, range(32)))
            self.assertEqual(client.connections_opened, 1, "the calls took turns on one connection")
            one_by_one = dict(call(index) for index in range(32))
        for index in range(32):
            self.assertAlmostEqual(shared[index], one_by_one[index], places=6)


if __name__ == "__main__":
    unittest.main()
