#!/usr/bin/env python3
"""Soak driver for bench/soak.sh: mixed valid and invalid traffic against the service for a fixed time.

Usage: soak.py URL_BASE DURATION_S CONCURRENCY PID [INTERVAL_S] [SEED]

Each of CONCURRENCY threads keeps one HTTP/1.1 connection (reopened when the server closes it) and sends, at
random, valid requests (2x10 and 32x1000, some with every output) and invalid ones (malformed, NaN strings,
ragged rows, unknown and repeated fields, wrong media type, wrong method, unknown path, a declared body over the
limit). Every INTERVAL_S it prints the answers so far and the service's resident size; at the end a RESULT line.
Exits non-zero on any 5xx other than an overload 503, any answer that is not problem+json where it should be,
or any broken connection.
"""
import http.client
import json
import random
import sys
import threading
import time
from collections import Counter

base, duration, concurrency, pid = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
interval = float(sys.argv[5]) if len(sys.argv) > 5 else 10.0
seed = int(sys.argv[6]) if len(sys.argv) > 6 else 7
host, port = base.replace("http://", "").split(":")
port = int(port)
PATH = "/v1/losses/cross-entropy"


def matrix(rng, n, c):
    return [[round(rng.uniform(-5, 5), 4) for _ in range(c)] for _ in range(n)]


def valid(rng, n, c, include):
    return json.dumps({"logits": matrix(rng, n, c), "targets": [rng.randrange(c) for _ in range(n)],
                       "epsilon": 0.1, "include": include}).encode()


def build_requests(rng):
    """(name, method, path, content type, body, extra headers, expected statuses), with weights."""
    small = valid(rng, 2, 10, ["smoothedTargets"])
    full = valid(rng, 8, 10, ["smoothedTargets", "perSampleLoss", "probabilities", "gradient"])
    medium = valid(rng, 32, 1000, ["smoothedTargets"])
    j = "application/json"
    return [
        (30, ("valid-2x10", "POST", PATH, j, small, {}, {200})),
        (10, ("valid-8x10-all", "POST", PATH, j, full, {}, {200})),
        (10, ("valid-32x1000", "POST", PATH, j, medium, {}, {200})),
        (8, ("truncated", "POST", PATH, j, small[: len(small) // 2], {}, {400})),
        (6, ("nan-string", "POST", PATH, j, b'{"logits": [[1, "NaN"]], "targets": [0]}', {}, {422})),
        (6, ("bare-nan", "POST", PATH, j, b'{"logits": [[1, NaN]], "targets": [0]}', {}, {400})),
        (6, ("ragged", "POST", PATH, j, b'{"logits": [[1, 2], [3]], "targets": [0, 1]}', {}, {422})),
        (4, ("overflow", "POST", PATH, j, b'{"logits": [[1e400, 2]], "targets": [0]}', {}, {422})),
        (4, ("unknown-field", "POST", PATH, j, b'{"logits": [[1, 2]], "targets": [0], "x": 1}', {}, {422})),
        (4, ("repeated-field", "POST", PATH, j, b'{"logits": [[1, 2]], "targets": [0], "targets": [1]}', {}, {422})),
        (3, ("text-plain", "POST", PATH, "text/plain", small, {}, {415})),
        (3, ("get-endpoint", "GET", PATH, None, None, {}, {405})),
        (3, ("no-such-path", "GET", "/v1/nothing", None, None, {}, {404})),
        (3, ("deep", "POST", PATH, j, b'{"logits": ' + b"[" * 40 + b"]" * 40 + b"}", {}, {400})),
        (2, ("declared-too-large", "POST", PATH, j, b"{}", {"Content-Length": "70000000"}, {413})),
    ]


lock = threading.Lock()
answers = Counter()
failures = Counter()
examples = []
stop_at = time.time() + duration


def record(name, status, ok, detail=""):
    with lock:
        answers[status] += 1
        if not ok:
            failures[name] += 1
            if len(examples) < 10:
                examples.append(f"{name}: {status} {detail[:200]}")


def worker(index):
    rng = random.Random(seed * 1000 + index)
    requests = build_requests(rng)
    weights = [w for w, _ in requests]
    conn = None
    while time.time() < stop_at:
        name, method, path, ctype, body, extra, expected = rng.choices([r for _, r in requests], weights)[0]
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=60)
            headers = dict(extra)
            if ctype:
                headers["Content-Type"] = ctype
            if "Content-Length" in headers:
                # A head that declares more than the limit, and a short body: the answer must not wait for it.
                conn.putrequest(method, path)
                for key, value in headers.items():
                    conn.putheader(key, value)
                conn.endheaders(body)
            else:
                conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            status = response.status
            content_type = response.getheader("Content-Type", "")
            ok = status in expected or status == 503 and b"overloaded" in data
            if status >= 400 and not content_type.startswith("application/problem+json"):
                ok = False
            if response.getheader("Server"):
                ok = False
            for word in (b"Exception", b"java.", b"springframework", b"jackson", b"lossservice"):
                if word in data:
                    ok = False
            record(name, status, ok, data.decode("utf-8", "replace"))
            if response.getheader("Connection", "").lower() == "close" or "Content-Length" in extra:
                conn.close()
                conn = None
        except Exception as e:  # a broken connection is a failure
            record(name, "connection-error", False, repr(e))
            if conn is not None:
                conn.close()
            conn = None


def rss_mib():
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return float("nan")
    return float("nan")


threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
started = time.time()
for t in threads:
    t.start()
rss = []
while any(t.is_alive() for t in threads):
    time.sleep(min(interval, max(0.1, stop_at - time.time() + 0.5)))
    r = rss_mib()
    rss.append(r)
    with lock:
        total = sum(answers.values())
        print(f"t={time.time() - started:6.1f}s requests={total} answers={dict(answers)} "
              f"failures={sum(failures.values())} rss_mib={r:.1f}", flush=True)
for t in threads:
    t.join(70)

total = sum(answers.values())
bad = sum(failures.values())
for example in examples:
    print("FAILURE", example)
print(f"RESULT duration_s={duration:.0f} concurrency={concurrency} requests={total} failures={bad} "
      f"server_errors={sum(v for k, v in answers.items() if isinstance(k, int) and k >= 500 and k != 503)} "
      f"overloaded_503={answers.get(503, 0)} connection_errors={answers.get('connection-error', 0)} "
      f"rss_first_mib={rss[0]:.1f} rss_last_mib={rss[-1]:.1f} rss_max_mib={max(rss):.1f}")
sys.exit(1 if bad else 0)
