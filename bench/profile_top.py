#!/usr/bin/env python3
"""Summarises an async-profiler collapsed profile (bench/profile.sh): the share of CPU samples of each layer a
request goes through, and the frames with the most samples, inclusive (the widest boxes of the flame graph) and
self (its top edge).

    python3 bench/profile_top.py profile.collapsed [N]
"""
import collections
import re
import sys

# Layers of a request, matched against the frames of a stack; a stack counts for the first layer it matches.
LAYERS = [
    ("JIT compiler threads", r"CompileBroker::|C2Compiler|Compilation::"),
    ("garbage collector", r"G1|GCTaskThread|ConcurrentGCThread|WorkerThread::run"),
    ("Tomcat poller and acceptor (select, accept, dispatch to a worker)", r"NioEndpoint\$Poller\.run|Acceptor\.run"),
    ("ND4J and BLAS (native compute)", r"libnd4j|nd4j::|sd::|openblas|cblas_|sgemm|dgemm|gotoblas|exec_blas"),
    ("loss computation (Java side: executor, kernel, ND4J calls)", r"lossservice/serving/|lossservice/compute/|lossservice/losses/"),
    ("JSON request decoding and validation", r"lossservice/json/|lossservice/loss/CallBinder|lossservice/rest/.*Reader"),
    ("JSON response encoding", r"lossservice/rest/JsonResultWriter|lossservice/web/ResponseBodyOutput"),
    ("Spring MVC dispatch (handler lookup, arguments, interceptors)", r"DispatcherServlet"),
    ("service filters (limits, observation, metrics)", r"lossservice/limits/|ServerHttpObservationFilter|"
                                                        r"OncePerRequestFilter|ApplicationFilterChain"),
    ("Tomcat request parsing and response writing", r"Http11Processor|Http11InputBuffer|Http11OutputBuffer|"
                                                    r"CoyoteAdapter|NioEndpoint"),
]


def main():
    path = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    stacks = []
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if not line:
            continue
        frames, _, count = line.rpartition(" ")
        stacks.append((frames.split(";"), int(count)))
    total = sum(count for _, count in stacks)
    if total == 0:
        sys.exit("no samples in " + path)
    print(f"{total} samples in {path}")

    layers = collections.Counter()
    compiled = [(name, re.compile(pattern)) for name, pattern in LAYERS]
    for frames, count in stacks:
        joined = ";".join(frames)
        for name, pattern in compiled:
            if pattern.search(joined):
                layers[name] += count
                break
        else:
            layers["other"] += count
    print("\nLayers (each stack counted once, for the first layer it matches, in this order):")
    for name, _ in LAYERS + [("other", None)]:
        print(f"  {100 * layers[name] / total:5.1f}%  {name}")

    inclusive = collections.Counter()
    self_time = collections.Counter()
    for frames, count in stacks:
        for frame in set(frames):
            inclusive[frame] += count
        self_time[frames[-1]] += count
    print(f"\nTop {limit} frames, inclusive (the widest boxes of the flame graph):")
    for frame, count in inclusive.most_common(limit):
        print(f"  {100 * count / total:5.1f}%  {frame}")
    print(f"\nTop {limit} frames, self (where the samples were taken):")
    for frame, count in self_time.most_common(limit):
        print(f"  {100 * count / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
