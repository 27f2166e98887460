// A closed-loop load generator for unary gRPC calls on plain HTTP/2 (libnghttp2), the gRPC counterpart of wrk:
// bench/grpc.sh builds and runs it (CLIENT=h2-grpc-load, the default).
//
//   h2-grpc-load HOST:PORT METHOD REQUEST_FILE CONCURRENCY SECONDS WARMUP_SECONDS
//
// CONCURRENCY callers, each on its own connection, on one thread's event loop (as wrk's), send the same request (the
// message read from REQUEST_FILE, already encoded: the file grpc-load takes) to METHOD (/package.Service/Method), each
// sending the next call when its answer is in. The calls that end in the SECONDS after the first WARMUP_SECONDS are
// counted, as wrk counts the answers of its run. Answers are received whole but not decoded; a call counts as an
// error unless it ends with HTTP 200 and grpc-status 0.
//
// Why not h2load: it reads a request body from its file with a pread for every 16 KB DATA frame and writes each frame
// with a writev of its own (about 1,000 system calls per 8 MB request, measured with strace), so on a machine whose
// cores it shares with the service it took 11-14 ms of CPU per 2048x1000 call where wrk takes 8-9 ms for the same
// call over HTTP/1.1. Here the request sits in memory once: DATA frames point into it (NGHTTP2_DATA_FLAG_NO_COPY) and
// are written many frames to a writev; answers are read 256 KB at a time. The HTTP/2 settings are h2load's
// (windows of 2^30 - 1 bytes, frames of at most 16 KB as every gRPC client receives by default).
//
// Prints the line bench/lib.sh reads:
//   RESULT requests=.. duration_us=.. rps=.. p50_us=.. p99_us=.. status_errors=.. socket_errors=..
// Needs libnghttp2 (Debian libnghttp2-dev) and a C compiler.
#include <nghttp2/nghttp2.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_IOV 1024  // Linux's IOV_MAX: the most a writev takes
#define CONTROL_BYTES (256 * 1024)
#define READ_BYTES (256 * 1024)
#define WINDOW ((1 << 30) - 1)

static const char *host;
static const char *port;
static const char *method;
static uint8_t *request;       // the framed message: 5-byte gRPC prefix, then the message
static size_t request_length;
static int64_t start_ns, counted_from_ns, end_ns;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

// One caller: a connection, its session, the call in flight, and the frames it writes next (gathered for one writev).
typedef struct {
  int fd;
  nghttp2_session *session;
  struct iovec iov[MAX_IOV];
  int iovs, iov_at;               // iov[iov_at..iovs) is still to be written
  uint8_t control[CONTROL_BYTES];  // bytes of frames other than DATA, and DATA frame headers, until written
  size_t control_used;
  size_t request_sent;
  int in_call;
  int call_done;
  int http_status;
  int grpc_status;
  int64_t call_started;
  int finished;
  int64_t *latencies_us;
  size_t latencies, latency_capacity;
  int64_t status_errors, socket_errors;
} caller_t;

// Queues bytes to write: copied when they belong to nghttp2 (control), pointed to when they are the request's. No room
// (until what is queued is written): nghttp2 hands the frame over again later.
static int queue(caller_t *c, const uint8_t *data, size_t length, int copy) {
  if (c->iovs == MAX_IOV || (copy && c->control_used + length > CONTROL_BYTES)) return -1;
  if (copy) {
    memcpy(c->control + c->control_used, data, length);
    data = c->control + c->control_used;
    c->control_used += length;
  }
  c->iov[c->iovs].iov_base = (void *)data;
  c->iov[c->iovs].iov_len = length;
  c->iovs++;
  return 0;
}

static ssize_t on_send(nghttp2_session *session, const uint8_t *data, size_t length, int flags, void *user) {
  (void)session;
  (void)flags;
  caller_t *c = user;
  if (length > CONTROL_BYTES) return NGHTTP2_ERR_CALLBACK_FAILURE;  // no frame of ours or the service's is that large
  return queue(c, data, length, 1) == 0 ? (ssize_t)length : NGHTTP2_ERR_WOULDBLOCK;
}

static int on_send_data(nghttp2_session *session, nghttp2_frame *frame, const uint8_t *header, size_t length,
                        nghttp2_data_source *source, void *user) {
  (void)session;
  (void)frame;
  (void)source;
  caller_t *c = user;
  if (c->iovs + 2 > MAX_IOV || c->control_used + 9 > CONTROL_BYTES) return NGHTTP2_ERR_WOULDBLOCK;
  queue(c, header, 9, 1);
  queue(c, request + c->request_sent, length, 0);
  c->request_sent += length;
  return 0;
}

static ssize_t read_request(nghttp2_session *session, int32_t stream, uint8_t *buffer, size_t length,
                            uint32_t *flags, nghttp2_data_source *source, void *user) {
  (void)session;
  (void)stream;
  (void)buffer;
  (void)user;
  // What this frame will carry; on_send_data writes it, from the request itself.
  size_t offset = (size_t)source->ptr;
  size_t remaining = request_length - offset;
  size_t n = remaining < length ? remaining : length;
  source->ptr = (void *)(offset + n);
  *flags |= NGHTTP2_DATA_FLAG_NO_COPY;
  if (offset + n == request_length) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return (ssize_t)n;
}

static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name, size_t name_length,
                     const uint8_t *value, size_t value_length, uint8_t flags, void *user) {
  (void)session;
  (void)frame;
  (void)flags;
  caller_t *c = user;
  char text[16];
  size_t n = value_length < sizeof text - 1 ? value_length : sizeof text - 1;
  memcpy(text, value, n);
  text[n] = 0;
  if (name_length == 7 && memcmp(name, ":status", 7) == 0) c->http_status = atoi(text);
  if (name_length == 11 && memcmp(name, "grpc-status", 11) == 0) c->grpc_status = atoi(text);
  return 0;
}

static int on_close(nghttp2_session *session, int32_t stream, uint32_t error, void *user) {
  (void)session;
  (void)stream;
  caller_t *c = user;
  if (error != NGHTTP2_NO_ERROR) c->grpc_status = -2;
  c->call_done = 1;
  return 0;
}

static int connect_to_service(void) {
  struct addrinfo hints = {0}, *found;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, port, &hints, &found) != 0) return -1;
  int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    close(fd);
    fd = -1;
  }
  freeaddrinfo(found);
  if (fd >= 0) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  return fd;
}

static int open_session(caller_t *c, int poll) {
  c->fd = connect_to_service();
  if (c->fd < 0) return -1;
  nghttp2_session_callbacks *callbacks;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_send_callback(callbacks, on_send);
  nghttp2_session_callbacks_set_send_data_callback(callbacks, on_send_data);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_close);
  int rc = nghttp2_session_client_new(&c->session, callbacks, c);
  nghttp2_session_callbacks_del(callbacks);
  if (rc != 0) return -1;
  nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                       {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, WINDOW}};
  if (nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, settings, 2) != 0
      || nghttp2_session_set_local_window_size(c->session, NGHTTP2_FLAG_NONE, 0, WINDOW) != 0) {
    return -1;
  }
  struct epoll_event event = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
  return epoll_ctl(poll, EPOLL_CTL_ADD, c->fd, &event);
}

static void close_session(caller_t *c) {
  if (c->session) nghttp2_session_del(c->session);
  if (c->fd >= 0) close(c->fd);  // leaves the epoll set with it
  c->session = NULL;
  c->fd = -1;
  c->iovs = c->iov_at = 0;
  c->control_used = 0;
  c->in_call = 0;
}

#define HEADER(n, v) {(uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NONE}

static char authority[256];

static int start_call(caller_t *c) {
  nghttp2_nv headers[] = {HEADER(":method", "POST"), HEADER(":scheme", "http"), HEADER(":path", method),
                          HEADER(":authority", authority), HEADER("content-type", "application/grpc"),
                          HEADER("te", "trailers")};
  nghttp2_data_provider body;
  body.source.ptr = (void *)0;
  body.read_callback = read_request;
  c->request_sent = 0;
  c->call_done = 0;
  c->http_status = 0;
  c->grpc_status = -1;
  c->in_call = 1;
  c->call_started = now_ns();
  return nghttp2_submit_request(c->session, NULL, headers, sizeof headers / sizeof headers[0], &body, c) < 0 ? -1 : 0;
}

static void end_call(caller_t *c) {
  int64_t ended = now_ns();
  c->in_call = 0;
  if (ended < counted_from_ns || ended > end_ns) return;
  if (c->http_status != 200 || c->grpc_status != 0) {
    c->status_errors++;
    return;
  }
  if (c->latencies == c->latency_capacity) {
    c->latency_capacity = c->latency_capacity ? 2 * c->latency_capacity : 4096;
    c->latencies_us = realloc(c->latencies_us, c->latency_capacity * sizeof(int64_t));
  }
  c->latencies_us[c->latencies++] = (ended - c->call_started) / 1000;
}

// Writes what is queued, as far as the socket takes it: 1 when something was written, 0 when nothing could be, -1.
static int flush(caller_t *c) {
  int wrote = 0;
  while (c->iov_at < c->iovs) {
    ssize_t n = writev(c->fd, c->iov + c->iov_at, c->iovs - c->iov_at);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? wrote : -1;
    }
    wrote = 1;
    while (c->iov_at < c->iovs && (size_t)n >= c->iov[c->iov_at].iov_len) {
      n -= (ssize_t)c->iov[c->iov_at].iov_len;
      c->iov_at++;
    }
    if (c->iov_at < c->iovs) {
      c->iov[c->iov_at].iov_base = (uint8_t *)c->iov[c->iov_at].iov_base + n;
      c->iov[c->iov_at].iov_len -= (size_t)n;
    }
  }
  c->iovs = c->iov_at = 0;
  c->control_used = 0;
  return wrote;
}

// Moves a caller on until it has to wait for its socket (edge-triggered: both ways, or nothing left to write).
// -1 when its connection failed.
static int pump(caller_t *c, uint8_t *buffer) {
  for (;;) {
    int progress = 0;
    if (c->call_done && c->in_call) {
      end_call(c);
      progress = 1;
    }
    if (!c->in_call && now_ns() < end_ns) {
      if (start_call(c) != 0) return -1;
      progress = 1;
    }
    if (!c->in_call) {
      c->finished = 1;
      return 0;
    }
    int flushed = flush(c);
    if (flushed < 0) return -1;
    progress |= flushed;
    if (c->iovs == 0) {
      if (nghttp2_session_send(c->session) != 0) return -1;
      if (c->iovs > 0) progress = 1;
    }
    ssize_t n = read(c->fd, buffer, READ_BYTES);
    if (n > 0) {
      if (nghttp2_session_mem_recv(c->session, buffer, (size_t)n) < 0) return -1;
      progress = 1;
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      return -1;
    }
    if (!progress) return 0;
  }
}

static int by_value(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s HOST:PORT METHOD REQUEST_FILE CONCURRENCY SECONDS WARMUP_SECONDS\n", argv[0]);
    return 2;
  }
  char *target = strdup(argv[1]);
  char *colon = strrchr(target, ':');
  if (colon == NULL) {
    fprintf(stderr, "HOST:PORT expected, not %s\n", argv[1]);
    return 2;
  }
  *colon = 0;
  host = target;
  port = colon + 1;
  method = argv[2];
  int concurrency = atoi(argv[4]);
  double seconds = atof(argv[5]), warmup = atof(argv[6]);
  if (concurrency < 1 || seconds <= 0 || warmup < 0) {
    fprintf(stderr, "CONCURRENCY >= 1, SECONDS > 0 and WARMUP_SECONDS >= 0 expected\n");
    return 2;
  }
  FILE *file = fopen(argv[3], "rb");
  if (file == NULL) {
    perror(argv[3]);
    return 2;
  }
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  request_length = (size_t)size + 5;
  request = malloc(request_length);
  if (fread(request + 5, 1, (size_t)size, file) != (size_t)size) {
    perror(argv[3]);
    return 2;
  }
  fclose(file);
  // gRPC's length prefix: not compressed, then the message's length, big-endian.
  request[0] = 0;
  uint32_t length = htonl((uint32_t)size);
  memcpy(request + 1, &length, 4);

  start_ns = now_ns();
  counted_from_ns = start_ns + (int64_t)(warmup * 1e9);
  end_ns = counted_from_ns + (int64_t)(seconds * 1e9);
  snprintf(authority, sizeof authority, "%s:%s", host, port);
  caller_t *callers = calloc((size_t)concurrency, sizeof(caller_t));
  static uint8_t buffer[READ_BYTES];
  int poll = epoll_create1(0);
  int open = 0;
  for (int i = 0; i < concurrency; i++) {
    callers[i].fd = -1;
    if (open_session(&callers[i], poll) != 0 || pump(&callers[i], buffer) != 0) {
      fprintf(stderr, "cannot call %s:%s\n", host, port);
      return 1;
    }
    open += !callers[i].finished;
  }
  struct epoll_event events[64];
  while (open > 0) {
    int ready = epoll_wait(poll, events, 64, 100);
    for (int e = 0; e < ready; e++) {
      caller_t *c = events[e].data.ptr;
      if (c->finished) continue;
      if (pump(c, buffer) != 0) {
        // The connection failed: counted, and the caller starts again on a new one.
        if (now_ns() >= counted_from_ns) c->socket_errors++;
        close_session(c);
        if (now_ns() >= end_ns || open_session(c, poll) != 0 || pump(c, buffer) != 0) {
          close_session(c);
          c->finished = 1;
        }
      }
      if (c->finished) open--;
    }
    if (now_ns() > end_ns + (int64_t)30e9) break;  // calls still out 30 s after the end: not counted
  }
  size_t total = 0;
  int64_t status_errors = 0, socket_errors = 0;
  for (int i = 0; i < concurrency; i++) {
    close_session(&callers[i]);
    total += callers[i].latencies;
    status_errors += callers[i].status_errors;
    socket_errors += callers[i].socket_errors;
  }
  int64_t *all = malloc((total ? total : 1) * sizeof(int64_t));
  size_t at = 0;
  for (int i = 0; i < concurrency; i++) {
    memcpy(all + at, callers[i].latencies_us, callers[i].latencies * sizeof(int64_t));
    at += callers[i].latencies;
  }
  qsort(all, total, sizeof(int64_t), by_value);
  // The nearest-rank percentile, as bench/grpc.sh computes h2load's: the value at round(n p), counted from 1.
  size_t p50 = total ? (size_t)(total * 0.50 + 0.5) : 0, p99 = total ? (size_t)(total * 0.99 + 0.5) : 0;
  printf("RESULT requests=%zu duration_us=%lld rps=%.1f p50_us=%lld p99_us=%lld status_errors=%lld socket_errors=%lld\n",
         total, (long long)(seconds * 1e6), total / seconds, total ? (long long)all[p50 ? p50 - 1 : 0] : 0LL,
         total ? (long long)all[p99 ? p99 - 1 : 0] : 0LL, (long long)status_errors, (long long)socket_errors);
  return 0;
}
