"""One kept-alive HTTP/1.1 connection to the service, with bounded retries (``http.client`` only).

A :class:`Connection` holds at most one socket and sends one request at a time on it, under a lock: a client can be
shared between threads, whose calls then take turns. Retried, because a loss call is a pure function and may be
sent again safely:

- a 503 with a ``Retry-After`` header (the service's "overloaded, come back then"), after waiting that long, while
  the wait is at most ``max_retry_wait``; a 503 without one (the processing deadline passed) is not retried;
- a connection that breaks before the answer is read (reset, closed by the server), or that cannot be opened
  (refused), after a short backoff (0.1 s, 0.2 s, 0.4 s, ...);
- a kept-alive connection found closed when it is used again (the server's idle timeout) is reopened at once, and
  that does not count as a retry.

A timeout is not retried: the service may still be computing the answer.
"""

from __future__ import annotations

import email.utils
import http.client
import socket
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Sequence, Union

from .errors import LossServiceConnectionError, LossServiceTimeoutError

BytesLike = Union[bytes, bytearray, memoryview]

#: The first backoff after a broken or refused connection; it doubles with each retry.
FIRST_BACKOFF = 0.1


@dataclass
class Response:
    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: BytesLike

    def header(self, name: str) -> Optional[str]:
        return self.headers.get(name)

    @property
    def retry_after(self) -> Optional[float]:
        return parse_retry_after(self.headers.get("Retry-After"))


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Seconds to wait from a ``Retry-After`` value (delay-seconds or an HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class _Broken(Exception):
    """The connection broke; ``reused`` when it was a kept-alive one (likely closed by the server while idle)."""

    def __init__(self, cause: BaseException, reused: bool) -> None:
        super().__init__(cause)
        self.cause = cause
        self.reused = reused


class Connection:
    """A kept-alive connection to ``base_url`` (``http://host:port/prefix`` or ``https://...``)."""

    def __init__(self, base_url: str, timeout: Optional[float], retries: int = 3, max_retry_wait: float = 30.0,
                 ssl_context: Optional[ssl.SSLContext] = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be http://host[:port][/prefix] or https://..., not {base_url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.max_retry_wait = max_retry_wait
        self._ssl_context = ssl_context
        self._sleep = sleep
        self._lock = threading.Lock()
        self._connection: Optional[http.client.HTTPConnection] = None
        #: How many connections were opened so far (1 for any number of calls while the server keeps it alive).
        self.connections_opened = 0
        #: How many requests were sent again (after a 503, a broken or refused connection).
        self.retried = 0

    def url(self, path: str) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = f":{self.port}" if self.port else ""
        return f"{self.scheme}://{host}{port}{self.prefix}{path}"

    def close(self) -> None:
        with self._lock:
            self._close()

    def __del__(self) -> None:
        try:
            self._close()
        except Exception:  # noqa: BLE001 - nothing to be done at collection time
            pass

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(self, method: str, path: str, headers: Mapping[str, str], body: Sequence[BytesLike] = ()) -> Response:
        """Sends the request (its body the concatenation of ``body``) and reads the whole answer, retrying as the
        module says. Raises :class:`LossServiceConnectionError` when no answer could be had."""
        attempt = 0
        reopened = False
        while True:
            try:
                with self._lock:
                    response = self._exchange(method, path, headers, body)
            except _Broken as broken:
                if broken.reused and not reopened:
                    reopened = True  # the server closed the idle connection: open another one at once
                    continue
                if attempt >= self.retries or not _retryable(broken.cause):
                    raise LossServiceConnectionError(self.url(path), broken.cause) from broken.cause
                self._sleep(FIRST_BACKOFF * 2 ** attempt)
                attempt += 1
                self.retried += 1
                continue
            if response.status == 503 and attempt < self.retries:
                wait = response.retry_after
                if wait is not None and wait <= self.max_retry_wait:
                    self._sleep(wait)
                    attempt += 1
                    self.retried += 1
                    continue
            return response

    def _open(self) -> http.client.HTTPConnection:
        if self.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                self.host, self.port, timeout=self.timeout, context=self._ssl_context)
        else:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        connection.connect()
        try:  # a request's parts must not wait for Nagle's algorithm (recent Pythons do this themselves)
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):
            pass
        self.connections_opened += 1
        return connection

    def _exchange(self, method: str, path: str, headers: Mapping[str, str], body: Sequence[BytesLike]) -> Response:
        reused = self._connection is not None
        try:
            if self._connection is None:
                self._connection = self._open()
            connection = self._connection
            connection.putrequest(method, self.prefix + path, skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            if body or method in ("POST", "PUT"):
                connection.putheader("Content-Length", str(sum(_length(part) for part in body)))
            connection.endheaders(body[0] if body else None)
            for part in body[1:]:
                connection.send(part)
            answer = connection.getresponse()
            content = _read_body(answer)
            if answer.will_close:
                self._close()
            return Response(answer.status, answer.reason, answer.headers, content)
        except socket.timeout as error:  # TimeoutError from Python 3.10 on
            self._close()
            raise LossServiceTimeoutError(self.url(path), f"no answer within {self.timeout} s") from error
        except (OSError, http.client.HTTPException) as error:
            self._close()
            if isinstance(error, ssl.SSLCertVerificationError) or isinstance(error, socket.gaierror):
                raise LossServiceConnectionError(self.url(path), error) from error
            raise _Broken(error, reused) from error


def _length(part: BytesLike) -> int:
    return part.nbytes if isinstance(part, memoryview) else len(part)


def _retryable(error: BaseException) -> bool:
    """Refused, reset, closed before the answer: yes; an unknown host or a certificate: no."""
    return isinstance(error, (ConnectionError, http.client.HTTPException, OSError)) and not isinstance(
        error, (socket.gaierror, ssl.SSLCertVerificationError))


def _read_body(answer: http.client.HTTPResponse) -> BytesLike:
    """The whole body, into one writable buffer when its length is known (numpy arrays are then views of it)."""
    length = answer.length
    if length is None:
        return answer.read()
    buffer = bytearray(length)
    view = memoryview(buffer)
    position = 0
    while position < length:
        count = answer.readinto(view[position:])
        if not count:
            raise http.client.IncompleteRead(bytes(view[:position]), length - position)
        position += count
    return buffer
