// steadfast run WORKFLOW.yaml --input JSON|@file: one workflow, in-process,
// to completion, printing each step transition and the final output.
#include <condition_variable>
#include <cstdio>
#include <mutex>

#include "cli_context.h"
#include "commands.h"
#include "runtime/engine.h"
#include "tracing/tracing_setup.h"
#include "steadfast/history.h"
#include "steadfast/time_text.h"
#include "runtime/views.h"

namespace steadfast::cli {
namespace {

// One line per step transition: step, attempt, outcome, duration.
void PrintTransition(const HistoryEvent& e) {
  const Value& d = e.data;
  std::string attempt = e.attempt > 0 ? "attempt " + std::to_string(e.attempt) : "";
  std::string line;
  if (e.type == history::kAttemptSucceeded) {
    line = "succeeded  " + std::to_string(d.Get("duration_ms").IntOr(0)) + "ms";
  } else if (e.type == history::kAttemptFailed) {
    line = "failed     " + std::to_string(d.Get("duration_ms").IntOr(0)) + "ms  " + d.Get("code").StringOr("") +
           ": " + d.Get("message").StringOr("");
  } else if (e.type == history::kAttemptAbandoned) {
    line = "abandoned  (engine stopped during the attempt)";
  } else if (e.type == history::kRetryScheduled) {
    line = "retry in   " + std::to_string(d.Get("delay_ms").IntOr(0)) + "ms";
  } else if (e.type == history::kStepSkipped) {
    line = "skipped    (when: " + d.Get("when").StringOr("") + ")";
  } else if (e.type == history::kApprovalNotRequired) {
    line = "approval not required";
  } else if (e.type == history::kWaitStarted) {
    line = d.Get("kind").StringOr("") == "approval" ? "waiting for approval"
                                                   : "waiting for signal '" + d.Get("signal").StringOr("") + "'";
  } else if (e.type == history::kSignalReceived) {
    line = "signal     " + d.Get("signal").StringOr("") + " " + d.Get("payload").ToJson();
  } else if (e.type == history::kApprovalDecided) {
    line = "decided    " + d.Get("decision").StringOr("") + " by " + d.Get("principal").StringOr("");
  } else if (e.type == history::kWaitTimedOut) {
    line = "timed out";
  } else if (e.type == history::kSleepStarted) {
    line = "sleeping   until " + FormatRfc3339Utc(d.Get("wake_at").IntOr(0));
  } else if (e.type == history::kSleepEnded) {
    line = "woke";
  } else if (e.type == history::kCompensationSucceeded) {
    line = "compensated  " + std::to_string(d.Get("duration_ms").IntOr(0)) + "ms";
  } else if (e.type == history::kCompensationFailed) {
    line = "compensation failed  " + d.Get("code").StringOr("") + ": " + d.Get("message").StringOr("");
  } else if (e.type == history::kStepFailed) {
    line = "step failed  " + d.Get("code").StringOr("") + ": " + d.Get("message").StringOr("");
  } else {
    return;
  }
  std::printf("  %-20s %-10s %s\n", e.step_id.c_str(), attempt.c_str(), line.c_str());
  std::fflush(stdout);
}

}  // namespace

void DeclareRun(CommandSpec& spec) {
  spec.Summary("runs one workflow to completion, in-process, printing each step")
      .Positional("WORKFLOW.yaml", "the workflow definition")
      .Option("input", "JSON|@FILE", "the input (default {})")
      .Option("id", "ID", "the instance id (default: generated)")
      .Option("workers", "N", "worker threads (default 4)")
      .Option("requested-by", "PRINCIPAL", "recorded as the instance's requester")
      .Switch("quiet", "print only the outcome")
      .StoreOptions()
      .Details("Exit 0 completed; 1 failed, compensated or cancelled; 2 bad usage or input.");
}

int RunRun(const Flags& flags) {
  auto input_text = ReadArgOrFile(flags.GetOr("input", "{}"));
  if (!input_text.ok()) return Fail(kExitUsage, input_text.status().message());
  auto input = Value::FromJson(*input_text);
  if (!input.ok()) return Fail(kExitUsage, "--input: " + std::string(ValueTooDeepMessage(input.status())));
  auto workers = flags.GetInt("workers", 4);
  if (!workers.ok()) return Fail(kExitUsage, workers.status().message());

  auto opened = OpenContext(flags, ContextNeeds{true, false});
  if (!opened.ok()) return Fail(kExitError, opened.status().message());
  CliContext& ctx = **opened;
  auto def = ctx.catalog->AddFile(flags.positional()[0]);
  if (!def.ok()) {
    std::fprintf(stderr, "%s\n", def.status().message().c_str());
    return kExitUsage;
  }

  EngineOptions eo;
  eo.workers = static_cast<int>(*workers);
  // A one-off node identity: any number of runs can share a database with
  // each other and with a serving engine (identities are exclusive,
  // Store::LockNode). A run killed mid-attempt has no successor under its
  // name; its task is taken over by any engine once its lease expires.
  char run_node[32];
  std::snprintf(run_node, sizeof(run_node), "-run-%08x", static_cast<unsigned>(ctx.random.NextU64()));
  eo.node_name = ctx.config.node_name + run_node;
  eo.reclaim_own_leases_at_start = false;  // a new name has no earlier incarnation
  eo.lease_ms = ctx.config.lease_ms;
  eo.poll_interval_ms = ctx.config.poll_interval_ms;
  eo.activity_limits = ctx.config.activity_limits;
  eo.priority_step_ms = ctx.config.priority_step_ms;
  auto exporter = tracing::MakeSpanExporter(ctx.config.tracing, eo.node_name, nullptr, ctx.logger.get());
  if (!exporter.ok()) return Fail(kExitUsage, "tracing: " + exporter.status().message());
  std::unique_ptr<tracing::WorkflowTracer> tracer;
  Engine engine(eo, *ctx.store, *ctx.catalog, *ctx.registry, SystemClock::Instance(), ctx.random, *ctx.logger);
  if (*exporter) tracer = AttachTracer(engine, **exporter, *ctx.store);

  std::mutex mu;
  std::condition_variable cv;
  std::string id;
  bool done = false;
  bool quiet = flags.Has("quiet");
  engine.AddObserver([&](const InstanceRecord& rec, const std::vector<HistoryEvent>& events) {
    std::lock_guard<std::mutex> lock(mu);
    if (!id.empty() && rec.id != id) return;
    if (!quiet) {
      for (const HistoryEvent& e : events) PrintTransition(e);
      if (rec.status == InstanceStatus::kWaitingApproval) {
        std::printf("  -> held for approval: steadfast approve %s %s --db %s\n", rec.id.c_str(),
                    rec.current_step.c_str(), ctx.config.database.c_str());
      } else if (rec.status == InstanceStatus::kWaitingSignal) {
        std::printf("  -> waiting: steadfast signal %s <name> --payload JSON --db %s\n", rec.id.c_str(),
                    ctx.config.database.c_str());
      } else if (rec.status == InstanceStatus::kPaused) {
        std::printf("  -> paused: steadfast resume %s --db %s\n", rec.id.c_str(), ctx.config.database.c_str());
      }
      std::fflush(stdout);
    }
    if (IsTerminal(rec.status)) {
      done = true;
      cv.notify_all();
    }
  });
  Status s = engine.Start();
  if (!s.ok()) return Fail(kExitError, s.message());

  StartOptions so;
  so.workflow = (*def)->name;
  so.version = (*def)->version;
  so.input = *input;
  so.id = flags.GetOr("id", "");
  if (so.id.empty()) {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "run-%016llx", static_cast<unsigned long long>(ctx.random.NextU64()));
    so.id = buf;
  }
  so.requested_by = flags.GetOr("requested-by", "cli");
  so.started_by = CliUser();
  {
    std::lock_guard<std::mutex> lock(mu);
    id = so.id;  // the observer prints only this instance's events
  }
  if (!quiet) std::printf("workflow %s v%d starting as %s\n", so.workflow.c_str(), so.version, so.id.c_str());
  std::fflush(stdout);
  auto started = engine.service().Start(so);
  if (!started.ok()) {
    engine.Stop();
    int code = started.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitError;
    return Fail(code, started.status().message());
  }
  std::unique_lock<std::mutex> lock(mu);
  if (started->outcome == StartOutcome::kExisting && !quiet) std::printf("  (instance %s already exists)\n", id.c_str());
  // The instance may have finished (or existed) before the observer knew its id.
  auto current = ctx.store->GetInstance(id);
  if (current.ok() && *current && IsTerminal((*current)->status)) done = true;
  while (!done) {
    cv.wait_for(lock, std::chrono::milliseconds(500));
    auto again = ctx.store->GetInstance(id);
    if (again.ok() && *again && IsTerminal((*again)->status)) done = true;
  }
  lock.unlock();
  engine.Stop();
  auto final_rec = ctx.store->GetInstance(id);
  if (!final_rec.ok() || !*final_rec) return Fail(kExitError, "cannot read the finished instance");
  const InstanceRecord& rec = **final_rec;
  std::printf("workflow %s %s\n", rec.id.c_str(), std::string(InstanceStatusName(rec.status)).c_str());
  if (rec.status == InstanceStatus::kCompleted) {
    std::printf("%s\n", rec.output.ToPrettyJson().c_str());
    return kExitOk;
  }
  std::printf("%s\n", Value(Value::Map{{"error", Value::Map{{"code", rec.error_code}, {"message", rec.error_message}}}})
                          .ToPrettyJson()
                          .c_str());
  return kExitFailed;
}

}  // namespace steadfast::cli
