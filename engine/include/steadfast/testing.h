// Helpers for testing one activity in isolation, without an engine: build
// its context, run it, look at the result; OpenTestPluginStorage gives it
// real plugin tables when it keeps state.
//
//   steadfast::ActivityTestRun run;
//   run.input = steadfast::Value::Map{{"amount", 1200}};
//   run.attempt = 2;
//   steadfast::ActivityResult r = run.Run(my_activity);
//   EXPECT_TRUE(r.ok());
#ifndef STEADFAST_TESTING_H_
#define STEADFAST_TESTING_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "steadfast/activity.h"
#include "steadfast/clock.h"
#include "steadfast/logger.h"
#include "steadfast/registry.h"
#include "steadfast/storage.h"

namespace steadfast {

struct ActivityTestRun {
  Value input;
  std::string workflow_id = "wf-test";
  std::string step_id = "step";
  int attempt = 1;
  int64_t timeout_ms = 30000;   // sets the context deadline relative to clock
  ManualClock clock;            // advance it to test time-dependent logic
  std::atomic<bool> cancelled{false};
  std::string traceparent;      // ActivityContext::traceparent() during the run
  Value::Map trace_attributes;  // what the activity set with SetTraceAttribute (after Run)
  // ActivityContext::storage() during the run. The activity's AtCheckpoint
  // writes are applied after it returns, in one transaction of their own
  // as the engine would with the checkpoint (a write that fails turns the
  // result into the retryable "checkpoint_write_failed", and none is kept).
  // Without storage, registered writes fail the same way.
  PluginStorage* storage = nullptr;

  // Runs the activity with key "<workflow_id>/<step_id>". Exceptions are
  // converted the way the engine converts them (retryable uncaught_exception).
  ActivityResult Run(Activity& activity) {
    ActivityContext::Params p;
    p.input = input;
    p.idempotency_key = workflow_id + "/" + step_id;
    p.workflow_id = workflow_id;
    p.step_id = step_id;
    p.attempt = attempt;
    p.deadline_ms = clock.NowMs() + timeout_ms;
    p.traceparent = traceparent;
    p.storage = storage;
    ActivityContext ctx(std::move(p), clock, NullLogger::Instance(), &cancelled);
    ActivityResult result = ActivityError::Retryable("not_run", "");
    try {
      result = activity.Run(ctx);
    } catch (const std::exception& e) {
      result = ActivityError::Retryable("uncaught_exception", e.what());
    }
    trace_attributes = ctx.trace_attributes();
    std::vector<PluginWrite> writes = ctx.TakeCheckpointWrites();
    if (writes.empty()) return result;
    Status applied = storage == nullptr
                         ? Status::FailedPrecondition("the activity registered checkpoint writes but the test gave no storage")
                         : storage->Transact([&writes](PluginTransaction& tx) -> Status {
                             for (const PluginWrite& w : writes) SF_RETURN_IF_ERROR(w(tx));
                             return Status::Ok();
                           });
    if (!applied.ok()) return ActivityError::Retryable("checkpoint_write_failed", applied.ToString());
    return result;
  }
  // Runs a registered activity by name; an unknown name is a NonRetryable
  // "unknown_activity" error.
  ActivityResult Run(const ActivityRegistry& registry, std::string_view name) {
    Activity* a = registry.Find(name);
    if (a == nullptr) return ActivityError::NonRetryable("unknown_activity", std::string(name));
    return Run(*a);
  }
};

// A real PluginStorage for tests: the engine's own SQLite store at `path`
// (created if missing), with every schema's migrations applied exactly as
// `steadfast serve` applies them. Give it to ActivityTestRun::storage to
// test an activity's reads and AtCheckpoint writes against real tables.
// The handle owns the store; errors as the store's open (a malformed schema
// is InvalidArgument, a database newer than the schema FailedPrecondition).
Result<std::unique_ptr<PluginStorage>> OpenTestPluginStorage(const std::string& path,
                                                             std::vector<PluginSchema> schemas);

}  // namespace steadfast

#endif  // STEADFAST_TESTING_H_
