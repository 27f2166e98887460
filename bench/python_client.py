#!/usr/bin/env python3
"""Requests per second of the Python client (clients/python) through its two transports, one connection, one call
at a time: numpy arrays as binary tensors of the Open Inference Protocol (the default for numpy) against the same
arrays through the JSON API (transport="json": the arrays as JSON numbers, the answer parsed back into numpy).

Payloads (cross-entropy with the gradient, the shape of a training step):
  ce   logits [256, 1000] float32, class-index targets [256]
  seg  logits [4, 21, 64, 64] float64 (computed in float64), class-index targets [4, 64, 64]

Each run calls for --duration seconds (at most --max-requests calls); the transports alternate JSON, V2, V2, JSON
(ABBA) for --runs pairs; the medians of the runs are reported with their ratio. Loopback only.

    python3 bench/python_client.py --url http://127.0.0.1:18095 [--runs 3] [--duration 5] [--payloads ce seg]
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import socket
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "clients" / "python"))

import numpy as np  # noqa: E402

from loss_service_client import LossServiceClient  # noqa: E402

PAYLOADS = {
    "ce": ("[256, 1000] float32 cross-entropy + gradient", (256, 1000), np.float32),
    "seg": ("[4, 21, 64, 64] float64 segmentation cross-entropy + gradient", (4, 21, 64, 64), np.float64),
}


def require_loopback(url: str) -> None:
    host = urllib.parse.urlsplit(url).hostname or ""
    addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    if not addresses or not all(ipaddress.ip_address(address.split("%")[0]).is_loopback for address in addresses):
        sys.exit(f"{url}: this benchmark targets a service on this machine's loopback only")


def arrays(shape, dtype, seed: int = 20240611):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal(shape).astype(dtype)
    targets = rng.integers(0, shape[1], (shape[0],) + tuple(shape[2:]))
    return logits, targets


def run(client: LossServiceClient, logits, targets, transport: str, duration: float, max_requests: int) -> dict:
    latencies = []
    start = time.perf_counter()
    while len(latencies) < max_requests and time.perf_counter() - start < duration:
        before = time.perf_counter()
        result = client.cross_entropy(logits, targets, include=["gradient"], transport=transport)
        latencies.append(time.perf_counter() - before)
        assert result.gradient.shape == logits.shape and result.gradient.dtype == logits.dtype
    elapsed = time.perf_counter() - start
    return {"requests": len(latencies), "seconds": elapsed, "rps": len(latencies) / elapsed,
            "median_ms": 1000 * statistics.median(latencies)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("LOSS_SERVICE_URL", "http://127.0.0.1:18095"))
    parser.add_argument("--runs", type=int, default=3, help="ABBA pairs per payload (runs per transport = 2x)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run")
    parser.add_argument("--max-requests", type=int, default=2000, help="calls per run at most")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds per payload and transport")
    parser.add_argument("--payloads", nargs="+", default=list(PAYLOADS), choices=list(PAYLOADS))
    parser.add_argument("--json-out", type=Path, help="write the figures here as JSON")
    options = parser.parse_args()
    require_loopback(options.url)

    report = {"url": options.url, "runs_per_transport": 2 * options.runs, "duration_s": options.duration,
              "numpy": np.__version__, "python": sys.version.split()[0], "payloads": {}}
    with LossServiceClient(options.url, timeout=120) as client:
        print(f"service: {options.url}, backend {client.backend()['backend']}; numpy {np.__version__}; "
              f"python {report['python']}; {2 * options.runs} runs of {options.duration} s per transport")
        for key in options.payloads:
            title, shape, dtype = PAYLOADS[key]
            logits, targets = arrays(shape, dtype)
            json_result = client.cross_entropy(logits, targets, include=["gradient"], transport="json")
            v2_result = client.cross_entropy(logits, targets, include=["gradient"], transport="v2")
            np.testing.assert_allclose(v2_result.gradient, json_result.gradient, rtol=1e-6, atol=1e-9)
            for transport in ("json", "v2"):
                run(client, logits, targets, transport, options.warmup, options.max_requests)
            results = {"json": [], "v2": []}
            for _ in range(options.runs):
                for transport in ("json", "v2", "v2", "json"):
                    results[transport].append(run(client, logits, targets, transport, options.duration,
                                                  options.max_requests))
            medians = {transport: statistics.median(r["rps"] for r in runs) for transport, runs in results.items()}
            latency = {transport: statistics.median(r["median_ms"] for r in runs) for transport, runs in results.items()}
            ratio = medians["v2"] / medians["json"]
            report["payloads"][key] = {"title": title, "runs": results, "median_rps": medians,
                                       "median_latency_ms": latency, "ratio_v2_over_json": ratio}
            print(f"{title}:")
            for transport in ("json", "v2"):
                rates = ", ".join(f"{r['rps']:.1f}" for r in results[transport])
                print(f"  {transport:4s} median {medians[transport]:8.1f} req/s ({latency[transport]:.1f} ms a call);"
                      f" runs: {rates}")
            print(f"  V2 binary / JSON: {ratio:.2f}x")
        report["connections_opened"] = client.connections_opened
    print(f"connections opened: {report['connections_opened']}")
    if options.json_out:
        options.json_out.parent.mkdir(parents=True, exist_ok=True)
        options.json_out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
