// A closed-loop load generator for unary gRPC calls, the gRPC counterpart of wrk (bench/grpc.sh builds and runs it).
//
//   grpc-load HOST:PORT METHOD REQUEST_FILE CONCURRENCY SECONDS WARMUP_SECONDS
//
// CONCURRENCY callers, each on its own HTTP/2 connection (as wrk's connections), send the same request, read from
// REQUEST_FILE already encoded, to METHOD (/package.Service/Method), each sending the next call when its answer is
// in. Calls in the first WARMUP_SECONDS are not counted. The answers are received whole but not decoded, as wrk does
// for HTTP: the client spends its CPU on the wire only. Prints the line bench/lib.sh reads:
//   RESULT requests=.. duration_us=.. rps=.. p50_us=.. p99_us=.. status_errors=.. socket_errors=0
// Needs the gRPC C++ library (Debian libgrpc++-dev); no generated code: the request is bytes.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Caller {
  std::vector<int64_t> latencies_us;
  int64_t errors = 0;
  std::string first_error;
};

void call_repeatedly(const std::string& target, const std::string& method, const grpc::ByteBuffer& request,
                     const std::atomic<bool>& running, const std::atomic<bool>& counting, Caller& caller) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(-1);
  arguments.SetMaxSendMessageSize(-1);
  // Without a pool of its own, every channel to the same target shares one connection.
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), arguments);
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue queue;
  while (running.load()) {
    bool counted = counting.load();
    auto start = Clock::now();
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    grpc::ByteBuffer response;
    grpc::Status status;
    auto call = stub.PrepareUnaryCall(&context, method, request, &queue);
    call->StartCall();
    call->Finish(&response, &status, reinterpret_cast<void*>(1));
    void* tag;
    bool ok;
    if (!queue.Next(&tag, &ok)) {
      break;
    }
    if (!counted) {
      continue;
    }
    if (ok && status.ok()) {
      caller.latencies_us.push_back(
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
    } else {
      if (caller.errors++ == 0) {
        caller.first_error = std::to_string(status.error_code()) + " " + status.error_message();
      }
    }
  }
  queue.Shutdown();
  void* tag;
  bool ok;
  while (queue.Next(&tag, &ok)) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s HOST:PORT METHOD REQUEST_FILE CONCURRENCY SECONDS WARMUP_SECONDS\n", argv[0]);
    return 2;
  }
  const std::string target = argv[1];
  const std::string method = argv[2];
  std::ifstream file(argv[3], std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "cannot read %s\n", argv[3]);
    return 2;
  }
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const int concurrency = std::stoi(argv[4]);
  const int seconds = std::stoi(argv[5]);
  const int warm_up = std::stoi(argv[6]);

  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  std::atomic<bool> running{true};
  std::atomic<bool> counting{false};
  std::vector<Caller> callers(concurrency);
  std::vector<std::thread> threads;
  for (int i = 0; i < concurrency; i++) {
    threads.emplace_back(call_repeatedly, std::cref(target), std::cref(method), std::cref(request),
                         std::cref(running), std::cref(counting), std::ref(callers[i]));
  }
  std::this_thread::sleep_for(std::chrono::seconds(warm_up));
  counting.store(true);
  auto started = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  running.store(false);
  auto elapsed_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count();
  for (auto& thread : threads) {
    thread.join();
  }

  std::vector<int64_t> all;
  int64_t errors = 0;
  for (const auto& caller : callers) {
    all.insert(all.end(), caller.latencies_us.begin(), caller.latencies_us.end());
    if (caller.errors > 0 && errors == 0) {
      std::fprintf(stderr, "first error: %s\n", caller.first_error.c_str());
    }
    errors += caller.errors;
  }
  std::sort(all.begin(), all.end());
  int64_t p50 = all.empty() ? 0 : all[all.size() / 2];
  int64_t p99 = all.empty() ? 0 : all[std::min(all.size() - 1, static_cast<size_t>(all.size() * 0.99))];
  std::printf("RESULT requests=%zu duration_us=%lld rps=%.1f p50_us=%lld p99_us=%lld status_errors=%lld"
              " socket_errors=0\n",
              all.size(), static_cast<long long>(elapsed_us), all.size() * 1e6 / elapsed_us,
              static_cast<long long>(p50), static_cast<long long>(p99), static_cast<long long>(errors));
  return 0;
}
