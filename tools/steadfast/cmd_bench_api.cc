// `steadfast bench-api`: a load check of the HTTP API against a running
// `steadfast serve` (tools/bench_api.sh sets one up).
//
// Each of --clients threads repeats, over its own keep-alive connection:
// start a workflow (operator token), poll until it waits for approval,
// approve it (reviewer token: the requester may not approve), poll until it
// completed. The engine's workers run the steps meanwhile, so the numbers
// are what a reviewer-facing deployment sustains while checkpointing.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli_context.h"
#include "cli_flags.h"
#include "commands.h"
#include "http_client.h"
#include "percentile.h"
#include "steadfast/value.h"

namespace steadfast::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

double MsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
}

struct ClientSamples {
  std::vector<double> start_ms;     // POST /v1/workflows
  std::vector<double> approve_ms;   // POST .../approvals/{step}
  std::vector<double> e2e_ms;       // start sent -> completed seen
  int64_t requests = 0;             // every HTTP exchange, polls included
  int64_t polls = 0;
  std::string first_error;          // "" when every workflow completed
  int64_t errors = 0;
};

struct BenchApiPlan {
  std::string server;
  std::string workflow;
  std::string step;
  std::string run_id;  // instance ids are <run_id>-<n>
  int64_t poll_ms = 1;
  int64_t timeout_ms = 60000;  // per workflow
};

// GETs the instance until its status is `want`; false (with why) on an
// error reply, a terminal status that is not `want`, or the timeout.
bool PollStatus(ApiClient& client, const std::string& path, const std::string& want, const BenchApiPlan& plan,
                ClientSamples& s, std::string& why) {
  auto deadline = SteadyClock::now() + std::chrono::milliseconds(plan.timeout_ms);
  while (true) {
    Result<ApiReply> r = client.Get(path);
    ++s.requests;
    ++s.polls;
    if (!r.ok()) {
      why = r.status().message();
      return false;
    }
    if (!r->ok()) {
      why = "GET " + path + ": HTTP " + std::to_string(r->status) + " " + r->error_code();
      return false;
    }
    std::string status = r->json.Get("status").StringOr("");
    if (status == want) return true;
    if (status == "completed" || status == "failed" || status == "cancelled" || status == "compensated") {
      why = path + " ended " + status + " while waiting for " + want;
      return false;
    }
    if (SteadyClock::now() > deadline) {
      why = path + " still " + status + " after " + std::to_string(plan.timeout_ms) + " ms";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(plan.poll_ms));
  }
}

// Why a call did not get the `want` status: no reply, or the API's error.
std::string CallFailure(const char* what, const Result<ApiReply>& r) {
  if (!r.ok()) return std::string(what) + ": " + r.status().message();
  return std::string(what) + ": HTTP " + std::to_string(r->status) + " " + r->error_code() + ": " + r->error_message();
}

// One workflow through start, approval and completion; false (with why) if
// any call failed.
bool RunOne(ApiClient& ops, ApiClient& reviewer, const BenchApiPlan& plan, int64_t n, ClientSamples& s,
            std::string& why) {
  const std::string id = plan.run_id + "-" + std::to_string(n);
  Value body = Value::Map{{"workflow", plan.workflow}, {"id", id}, {"input", Value::Map{{"n", n}}}};
  auto t0 = SteadyClock::now();
  Result<ApiReply> started = ops.Post("/v1/workflows", body.ToJson());
  ++s.requests;
  if (!started.ok() || started->status != 201) {
    why = CallFailure("start", started);
    return false;
  }
  s.start_ms.push_back(MsSince(t0));
  const std::string path = "/v1/workflows/" + UrlEscape(id);
  if (!PollStatus(reviewer, path, "waiting_approval", plan, s, why)) return false;

  auto t1 = SteadyClock::now();
  Value decision = Value::Map{{"decision", "approve"}, {"comment", "bench-api"}};
  Result<ApiReply> decided = reviewer.Post(path + "/approvals/" + UrlEscape(plan.step), decision.ToJson());
  ++s.requests;
  if (!decided.ok() || decided->status != 200) {
    why = CallFailure("approve", decided);
    return false;
  }
  s.approve_ms.push_back(MsSince(t1));
  if (!PollStatus(reviewer, path, "completed", plan, s, why)) return false;
  s.e2e_ms.push_back(MsSince(t0));
  return true;
}

std::string EnvOr(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

}  // namespace

void DeclareBenchApi(CommandSpec& spec) {
  spec.Summary("load check of a running server's HTTP API: start, approve, poll")
      .Option("server", "URL", "the serving engine (required)")
      .Option("cacert", "FILE", "the CA certificate to trust")
      .Option("workflow", "NAME", "the workflow to start (default bench_approval)")
      .Option("step", "STEP", "its approval step (default review)")
      .Option("workflows", "N", "workflows to run (default 500)")
      .Option("clients", "N", "concurrent clients (default 16)")
      .Option("poll", "MS", "poll interval in milliseconds (default 1)")
      .Json()
      .Details("Tokens: STEADFAST_TOKEN (an operator, who starts) and STEADFAST_REVIEWER_TOKEN (a reviewer).\n"
               "Exit 1 if any workflow did not complete.");
}

int RunBenchApi(const Flags& flags) {
  if (!flags.Get("server")) return Fail(kExitUsage, "--server URL is required (a running `steadfast serve`)");
  auto workflows = flags.GetInt("workflows", 500);
  auto clients = flags.GetInt("clients", 16);
  auto poll = flags.GetInt("poll", 1);
  if (!workflows.ok() || !clients.ok() || !poll.ok() || *workflows < 1 || *clients < 1 || *poll < 0) {
    return Fail(kExitUsage, "--workflows and --clients take positive integers, --poll milliseconds >= 0");
  }
  const std::string ops_token = EnvOr("STEADFAST_TOKEN");
  const std::string reviewer_token = EnvOr("STEADFAST_REVIEWER_TOKEN");
  if (ops_token.empty() || reviewer_token.empty()) {
    return Fail(kExitUsage,
                "set STEADFAST_TOKEN (an operator, who starts) and STEADFAST_REVIEWER_TOKEN (a reviewer, who "
                "approves; four-eyes forbids the same principal)");
  }
  BenchApiPlan plan;
  plan.server = *flags.Get("server");
  plan.workflow = flags.GetOr("workflow", "bench_approval");
  plan.step = flags.GetOr("step", "review");
  plan.poll_ms = *poll;
  plan.run_id = "bench-api-" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                   std::chrono::system_clock::now().time_since_epoch())
                                                   .count());
  std::string ca = flags.GetOr("cacert", EnvOr("STEADFAST_CACERT"));

  std::vector<ClientSamples> samples(static_cast<size_t>(*clients));
  std::atomic<int64_t> next{0};
  auto t0 = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int64_t c = 0; c < *clients; ++c) {
    threads.emplace_back([&, c] {
      // One client (one keep-alive connection) per principal per thread.
      ApiClient ops(MakeApiTransport(ca), plan.server, ops_token);
      ApiClient reviewer(MakeApiTransport(ca), plan.server, reviewer_token);
      ClientSamples& s = samples[static_cast<size_t>(c)];
      while (true) {
        int64_t n = next.fetch_add(1);
        if (n >= *workflows) break;
        std::string why;
        if (!RunOne(ops, reviewer, plan, n, s, why)) {
          ++s.errors;
          if (s.first_error.empty()) s.first_error = why;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  double secs = MsSince(t0) / 1000.0;

  ClientSamples all;
  for (ClientSamples& s : samples) {
    all.start_ms.insert(all.start_ms.end(), s.start_ms.begin(), s.start_ms.end());
    all.approve_ms.insert(all.approve_ms.end(), s.approve_ms.begin(), s.approve_ms.end());
    all.e2e_ms.insert(all.e2e_ms.end(), s.e2e_ms.begin(), s.e2e_ms.end());
    all.requests += s.requests;
    all.polls += s.polls;
    all.errors += s.errors;
    if (all.first_error.empty()) all.first_error = s.first_error;
  }
  const auto completed = static_cast<double>(all.e2e_ms.size());
  Value result = Value::Map{
      {"workflows", *workflows},
      {"clients", *clients},
      {"seconds", secs},
      {"completed", static_cast<int64_t>(all.e2e_ms.size())},
      {"errors", all.errors},
      {"workflows_per_s", completed / secs},
      {"starts_per_s", static_cast<double>(all.start_ms.size()) / secs},
      {"approvals_per_s", static_cast<double>(all.approve_ms.size()) / secs},
      {"requests_per_s", static_cast<double>(all.requests) / secs},
      {"polls_per_workflow", completed > 0 ? static_cast<double>(all.polls) / completed : 0.0},
      {"start_p50_ms", Percentile(all.start_ms, 0.5)},
      {"start_p99_ms", Percentile(all.start_ms, 0.99)},
      {"approve_p50_ms", Percentile(all.approve_ms, 0.5)},
      {"approve_p99_ms", Percentile(all.approve_ms, 0.99)},
      {"e2e_p50_ms", Percentile(all.e2e_ms, 0.5)},
      {"e2e_p99_ms", Percentile(all.e2e_ms, 0.99)},
  };
  if (!all.first_error.empty()) result["first_error"] = all.first_error;
  if (flags.Has("json")) {
    std::printf("%s\n", result.ToJson().c_str());
  } else {
    std::printf("workflows:        %lld (%s, approval step '%s'), %lld clients\n",
                static_cast<long long>(*workflows), plan.workflow.c_str(), plan.step.c_str(),
                static_cast<long long>(*clients));
    std::printf("completed:        %.0f in %.2f s = %.0f workflows/s (start + approve + finish)\n", completed, secs,
                completed / secs);
    std::printf("HTTP requests/s:  %.0f (%.1f status polls per workflow)\n",
                static_cast<double>(all.requests) / secs, result.Get("polls_per_workflow").AsDouble());
    std::printf("start p50/p99:    %.2f / %.2f ms\n", Percentile(all.start_ms, 0.5), Percentile(all.start_ms, 0.99));
    std::printf("approve p50/p99:  %.2f / %.2f ms\n", Percentile(all.approve_ms, 0.5),
                Percentile(all.approve_ms, 0.99));
    std::printf("end-to-end p50/p99: %.2f / %.2f ms\n", Percentile(all.e2e_ms, 0.5), Percentile(all.e2e_ms, 0.99));
    if (all.errors > 0) {
      std::printf("ERRORS:           %lld (first: %s)\n", static_cast<long long>(all.errors), all.first_error.c_str());
    }
  }
  return all.errors > 0 ? kExitFailed : kExitOk;
}

}  // namespace steadfast::cli
