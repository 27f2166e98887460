-- wrk script for bench/v2.sh: POSTs the binary Open Inference Protocol body named by WRK_BODY as tritonclient
-- sends it (no Content-Type, Inference-Header-Content-Length from WRK_HEADER_LENGTH) and prints one RESULT line
-- in the format of post.lua.
local file = assert(io.open(os.getenv("WRK_BODY"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Inference-Header-Content-Length"] = os.getenv("WRK_HEADER_LENGTH")

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.2f p50_us=%d p99_us=%d status_errors=%d socket_errors=%d\n",
    summary.requests, summary.duration, summary.requests / summary.duration * 1e6,
    latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
