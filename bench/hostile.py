#!/usr/bin/env python3
"""Hostile clients for bench/hostile.sh: one attack against a running service, over loopback, bounded in time.

Usage: hostile.py ATTACK PORT PID [options as NAME=VALUE]

Attacks (what issue 12 describes; every one prints a RESULT line of NAME=VALUE pairs):
  slow        N (200) connections POST a declared 10 MiB body to /v1/losses/cross-entropy, a byte at a time
              (one byte per connection every INTERVAL s, 0.5), for DURATION s (40); a connection that ends is
              replaced at once (RECONNECT=0: not), so N are attacking all along; meanwhile health and a small
              valid POST are probed in turn (each with a 2 s timeout)
  slow-get    the same against GET /actuator/health with a declared body
  silent      N (16) connections send a head and 1 KiB of a 10 KiB body, then nothing, for DURATION s (15); probes
  bomb        COUNT (2) gzip bodies at once to /v2 that inflate to 670 MB (20 inputs of 16,777,216 numbers),
              then one to /v1 (64 MiB of blanks); then a small valid POST
  flood       N (8300) idle connections opened as fast as the service accepts them, kept idle for DURATION s (20)
              while health is probed; how many were open at once (the service closes idle ones)
  expect      a declared 64 MiB + 1 body with Expect: 100-continue: the first status line
  probe       small valid POSTs at CONCURRENCY (4) for DURATION s (the storm of large ones runs beside it)

Probes count an answer as good when it is a 200 within 2 s. The resident size of PID is sampled every 0.2 s; its
peak is reported as rss_peak_mib. Exits non-zero when any answer is a 500.
"""
import gzip
import io
import socket
import sys
import threading
import time
from collections import Counter

ATTACK, PORT, PID = sys.argv[1], int(sys.argv[2]), sys.argv[3]
OPTIONS = dict(arg.split("=", 1) for arg in sys.argv[4:])
HOST = "127.0.0.1"
CE = "/v1/losses/cross-entropy"
INFER = "/v2/models/cross-entropy/infer"
SMALL = b'{"logits": [[0.5, 1.5, -1.0], [2.0, 0.0, 1.0]], "targets": [2, 0]}'
FIVE_HUNDREDS = Counter()


def option(name, default):
    return type(default)(OPTIONS.get(name, default))


class RssSampler(threading.Thread):
    """Samples VmRSS of the service every 0.2 s; peak in MiB."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0.0
        self.stopped = False

    def run(self):
        while not self.stopped:
            try:
                with open("/proc/%s/status" % PID) as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            self.peak = max(self.peak, int(line.split()[1]) / 1024)
            except OSError:
                return
            time.sleep(0.2)


def exchange(request, timeout=2.0):
    """Sends one request on a new connection; (status or an error name, seconds)."""
    started = time.time()
    try:
        with socket.create_connection((HOST, PORT), timeout=timeout) as s:
            s.settimeout(max(0.05, timeout - (time.time() - started)))
            s.sendall(request)
            head = b""
            while b"\r\n" not in head:
                chunk = s.recv(4096)
                if not chunk:
                    return "closed", time.time() - started
                head += chunk
            status = int(head.split(b" ", 2)[1])
            if status == 500:
                FIVE_HUNDREDS["probe"] += 1
            return status, time.time() - started
    except socket.timeout:
        return "timeout", time.time() - started
    except OSError as e:
        return type(e).__name__, time.time() - started


def health():
    return exchange(b"GET /actuator/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")


def small_post():
    return exchange(("POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                     "Content-Length: %d\r\n\r\n" % (CE, len(SMALL))).encode() + SMALL)


class Prober(threading.Thread):
    """Health and a small valid POST in turn, every PERIOD s, until stopped."""

    def __init__(self, period=0.25, kinds=("health", "post")):
        super().__init__(daemon=True)
        self.period, self.kinds = period, kinds
        self.results = {kind: [] for kind in kinds}
        self.stopped = False

    def run(self):
        while not self.stopped:
            for kind in self.kinds:
                self.results[kind].append(health() if kind == "health" else small_post())
            time.sleep(self.period)

    def summary(self):
        fields = []
        for kind, results in self.results.items():
            good = sum(1 for status, took in results if status == 200 and took < 2.0)
            share = 100.0 * good / len(results) if results else 0.0
            worst = max((took for _, took in results), default=0.0)
            fields.append("%s_probes=%d %s_ok_2s_pct=%.1f %s_max_s=%.2f" % (kind, len(results), kind, share, kind, worst))
        return " ".join(fields)


def outcome(s, deadline):
    """What a hostile connection got before DEADLINE: its status, 'closed', or 'open'."""
    answer = b""
    s.settimeout(max(0.05, deadline - time.time()))
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
            if b"\r\n" in answer:
                break
    except socket.timeout:
        pass
    except OSError:
        pass
    if answer.startswith(b"HTTP/1.1 "):
        status = answer.split(b" ", 2)[1].decode()
        if status == "500":
            FIVE_HUNDREDS["attacker"] += 1
        kind = b"deadline" if b"deadline" in answer else b"overload" if b"overloaded" in answer else b""
        return status + ("-" + kind.decode() if kind else "")
    return "closed" if time.time() < deadline else "open"


def trickle(path, method, n, interval, duration, reconnect):
    """N connections that declare a 10 MiB body and send it a byte at a time; one that ends (answered or closed) is
    replaced by a new one when RECONNECT, so the attack lasts DURATION s. Returns how the connections ended."""
    outcomes = Counter()
    head = ("%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10485760\r\n\r\n"
            % (method, path)).encode()

    def connect():
        s = socket.create_connection((HOST, PORT), timeout=5)
        s.sendall(head)
        s.setblocking(False)
        return [s, b""]

    def finish(connection, closed):
        s, answer = connection
        if answer.startswith(b"HTTP/1.1 "):
            status = answer.split(b" ", 2)[1].decode()
            if status == "500":
                FIVE_HUNDREDS["attacker"] += 1
            kind = "-deadline" if b"deadline" in answer else "-overload" if b"overloaded" in answer else ""
            outcomes[status + kind] += 1
        else:
            outcomes["closed" if closed else "open"] += 1
        s.close()

    connections = [connect() for _ in range(n)]
    end = time.time() + duration
    while time.time() < end and connections:
        for i, connection in enumerate(connections):
            if connection is None:
                continue
            s = connection[0]
            ended = False
            try:
                chunk = s.recv(4096)
                if chunk:
                    connection[1] += chunk
                else:
                    ended = True
            except BlockingIOError:
                pass
            except OSError:
                ended = True
            if not ended:
                try:
                    s.send(b" ")
                except BlockingIOError:
                    pass
                except OSError:
                    ended = True
            if ended:
                finish(connection, True)
                connections[i] = None
                if reconnect:
                    try:
                        connections[i] = connect()
                    except OSError:
                        outcomes["connect-failed"] += 1
        connections = [connection for connection in connections if connection is not None] if not reconnect \
            else connections
        time.sleep(interval)
    for connection in connections:
        if connection is not None:
            finish(connection, False)
    return outcomes


def attack_slow(path, method):
    n, interval, duration = option("N", 200), option("INTERVAL", 0.5), option("DURATION", 40.0)
    rss, prober = RssSampler(), Prober()
    rss.start()
    result = {}
    reconnect = option("RECONNECT", 1) == 1
    attacker = threading.Thread(target=lambda: result.update(trickle(path, method, n, interval, duration, reconnect)))
    attacker.start()
    time.sleep(1)
    prober.start()
    attacker.join()
    prober.stopped = True
    prober.join()
    rss.stopped = True
    outcomes = " ".join("%s:%d" % item for item in sorted(result.items()))
    print("RESULT attack=%s connections=%d %s attackers=%s rss_peak_mib=%.0f"
          % (ATTACK, n, prober.summary(), outcomes, rss.peak))


def attack_silent():
    n, duration = option("N", 16), option("DURATION", 15.0)
    rss, prober = RssSampler(), Prober()
    rss.start()
    sockets = []
    started = time.time()
    for _ in range(n):
        s = socket.create_connection((HOST, PORT), timeout=5)
        s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10240\r\n\r\n"
                   % CE).encode() + b"{\"logits\": [" + b" " * 1012)
        sockets.append(s)
    prober.start()
    ended = Counter()
    end_times = []
    deadline = started + duration
    for s in sockets:
        result = outcome(s, deadline)
        ended[result] += 1
        if result != "open":
            end_times.append(time.time() - started)
        s.close()
    time.sleep(max(0, deadline - time.time()))
    prober.stopped = True
    prober.join()
    rss.stopped = True
    print("RESULT attack=silent connections=%d %s silent=%s silent_ended_after_s=%.1f rss_peak_mib=%.0f"
          % (n, prober.summary(), " ".join("%s:%d" % item for item in sorted(ended.items())),
             max(end_times, default=0), rss.peak))


def v2_bomb():
    """20 FP32 inputs of 16,777,216 zeros each as JSON (670 MB), gzip-compressed."""
    out = io.BytesIO()
    zeros = b"0," * (1 << 20)
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as z:
        z.write(b'{"inputs": [')
        for k in range(20):
            z.write(b'%s{"name": "in%d", "datatype": "FP32", "shape": [16777216], "data": ['
                    % (b", " if k else b"", k))
            for _ in range(15):
                z.write(zeros)
            z.write(zeros[:-1])  # 16 * 2^20 numbers, no trailing comma
            z.write(b"]}")
        z.write(b"]}")
    return out.getvalue()


def v1_bomb():
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as z:
        z.write(b'{"logits": [')
        blanks = b" " * (1 << 20)
        for _ in range(64):
            z.write(blanks)
        z.write(b"]}")
    return out.getvalue()


def send_body(path, body, headers, results, timeout=60):
    started = time.time()
    request = ("POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n%s"
               "Content-Length: %d\r\n\r\n" % (path, headers, len(body))).encode()
    try:
        with socket.create_connection((HOST, PORT), timeout=timeout) as s:
            s.sendall(request)
            try:
                s.sendall(body)
            except OSError:
                pass  # the answer came and the connection closed before the whole body was sent
            status = outcome(s, time.time() + timeout)
    except OSError as e:
        status = type(e).__name__
    results.append((status, time.time() - started))


def attack_bomb():
    count = option("COUNT", 2)
    v2, v1 = v2_bomb(), v1_bomb()
    rss = RssSampler()
    rss.start()
    results = []
    threads = [threading.Thread(target=send_body, args=(INFER, v2, "Content-Encoding: gzip\r\n", results))
               for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    send_body(CE, v1, "Content-Encoding: gzip\r\n", results)
    after, took = small_post()
    time.sleep(1)
    rss.stopped = True
    print("RESULT attack=bomb v2_bomb_kb=%d v1_bomb_kb=%d answers=%s slowest_s=%.2f small_post_after=%s rss_peak_mib=%.0f"
          % (len(v2) / 1000, len(v1) / 1000, ",".join(str(status) for status, _ in results),
             max(t for _, t in results), after, rss.peak))


def flood(total, duration, prober):
    """Opens up to TOTAL idle connections as fast as the service accepts them (non-blocking connects, in batches),
    keeps them idle, and counts how many are open at once as the service closes the idle ones. Returns the peak
    and the number opened."""
    import selectors
    selector = selectors.DefaultSelector()
    opened = open_now = peak = 0
    attempted = 0
    end = time.time() + duration
    pending = {}
    while time.time() < end:
        while attempted < total and len(pending) < 500:
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex((HOST, PORT))
            pending[s] = time.time()
            selector.register(s, selectors.EVENT_WRITE)
            attempted += 1
        for key, events in selector.select(timeout=0.05):
            s = key.fileobj
            if s in pending:
                del pending[s]
                selector.unregister(s)
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    opened += 1
                    open_now += 1
                    peak = max(peak, open_now)
                    selector.register(s, selectors.EVENT_READ)
                else:
                    s.close()
            else:  # readable: the service closed an idle connection
                selector.unregister(s)
                s.close()
                open_now -= 1
        for s, since in list(pending.items()):
            if time.time() - since > 3:
                del pending[s]
                selector.unregister(s)
                s.close()
    for key in list(selector.get_map().values()):
        key.fileobj.close()
    return peak, opened


def attack_flood():
    n, duration = option("N", 8300), option("DURATION", 20.0)
    rss = RssSampler()
    rss.start()
    prober = Prober(kinds=("health",))
    prober.start()
    peak, opened = flood(n, duration, prober)
    prober.stopped = True
    prober.join()
    after, _ = health()
    rss.stopped = True
    print("RESULT attack=flood attempted=%d opened=%d peak_open_at_once=%d %s health_after=%s rss_peak_mib=%.0f"
          % (n, opened, peak, prober.summary(), after, rss.peak))


def attack_expect():
    with socket.create_connection((HOST, PORT), timeout=5) as s:
        s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                   "Expect: 100-continue\r\n\r\n" % (CE, 64 * 1024 * 1024 + 1)).encode())
        first = s.recv(4096).split(b"\r\n", 1)[0].decode()
    print("RESULT attack=expect first_status_line=%s" % first.replace(" ", "_"))


def attack_probe():
    concurrency, duration = option("CONCURRENCY", 4), option("DURATION", 60.0)
    statuses = Counter()
    times = []
    lock = threading.Lock()
    end = time.time() + duration

    def loop():
        while time.time() < end:
            status, took = exchange(("POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
                                     "application/json\r\nContent-Length: %d\r\n\r\n" % (CE, len(SMALL))).encode()
                                    + SMALL, timeout=10)
            with lock:
                statuses[status] += 1
                if status == 200:
                    times.append(took)
            time.sleep(0.05)

    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = sum(statuses.values())
    times.sort()
    fast = sum(1 for took in times if took < 0.5)

    def quantile(q):
        return times[min(len(times) - 1, int(q * len(times)))] if times else 0.0

    print("RESULT attack=probe small_requests=%d small_200_pct=%.1f small_200_within_0.5s_pct=%.1f "
          "small_200_p50_s=%.3f small_200_p99_s=%.3f statuses=%s"
          % (total, 100.0 * statuses[200] / max(1, total), 100.0 * fast / max(1, total), quantile(0.5),
             quantile(0.99), " ".join("%s:%d" % (k, v) for k, v in sorted(statuses.items(), key=str))))


ATTACKS = {
    "slow": lambda: attack_slow(CE, "POST"),
    "slow-get": lambda: attack_slow("/actuator/health", "GET"),
    "silent": attack_silent,
    "bomb": attack_bomb,
    "flood": attack_flood,
    "expect": attack_expect,
    "probe": attack_probe,
}

if __name__ == "__main__":
    ATTACKS[ATTACK]()
    if FIVE_HUNDREDS:
        print("500 answers: %s" % dict(FIVE_HUNDREDS), file=sys.stderr)
        sys.exit(1)
