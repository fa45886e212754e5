// The kill switch from the command line: hold, release, holds (local mode:
// the database of --db or the config). Over HTTP the same is
// /v1/activity-holds (docs/http.md); both go through WorkflowService.
#include <cstdio>
#include <memory>

#include "cli_context.h"
#include "commands.h"
#include "runtime/activity_hold_view.h"
#include "runtime/workflow_service.h"
#include "steadfast/time_text.h"

namespace steadfast::cli {
namespace {

constexpr char kActivityHelp[] = "an activity name (refund.psp_refund), or '*' for every activity";
constexpr char kAsHelp[] = "who acts (default cli:$USER)";

int StatusExit(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
      return Fail(kExitFailed, s.ToString());
    default:
      return Fail(kExitError, s.ToString());
  }
}

struct Opened {
  std::unique_ptr<CliContext> ctx;
  std::unique_ptr<WorkflowService> service;
};

Result<Opened> Open(const Flags& flags) {
  SF_ASSIGN_OR_RETURN(std::unique_ptr<CliContext> ctx, OpenContext(flags, ContextNeeds{true, false}));
  Opened o;
  o.service = std::make_unique<WorkflowService>(*ctx->store, *ctx->catalog, SystemClock::Instance(), ctx->random);
  o.ctx = std::move(ctx);
  return o;
}

std::string Principal(const Flags& flags) { return flags.GetOr("as", CliUser()); }

const char* Named(const std::string& activity) {
  return activity == kAllActivities ? "every activity" : activity.c_str();
}

}  // namespace

void DeclareHold(CommandSpec& spec) {
  spec.Summary("holds an activity: no new attempt of it starts until released; nothing fails")
      .Positional("ACTIVITY", kActivityHelp)
      .Option("reason", "TEXT", "why (required; kept in the hold log)")
      .Option("as", "PRINCIPAL", kAsHelp)
      .StoreOptions()
      .Details("Attempts already running finish. Every engine on the database honours the hold (a serving "
               "engine in another process within its poll_interval). Exit 0; 1 for a bad name or an empty reason.");
}

int RunHold(const Flags& flags) {
  const std::string& activity = flags.positional()[0];
  auto reason = flags.Get("reason");
  if (!reason) return Fail(kExitUsage, "hold needs --reason TEXT (it is kept in the hold log)");
  auto o = Open(flags);
  if (!o.ok()) return Fail(kExitError, o.status().message());
  Status s = o->service->HoldActivity(activity, Principal(flags), *reason);
  if (!s.ok()) return StatusExit(s);
  std::printf("%s held: no new attempt starts until `steadfast release %s`\n", Named(activity), activity.c_str());
  return kExitOk;
}

void DeclareRelease(CommandSpec& spec) {
  spec.Summary("releases a held activity: its waiting attempts start again, within its limits")
      .Positional("ACTIVITY", kActivityHelp)
      .Option("reason", "TEXT", "why (kept in the hold log)")
      .Option("as", "PRINCIPAL", kAsHelp)
      .StoreOptions()
      .Details("Exit 0; 1 when the activity is not held.");
}

int RunRelease(const Flags& flags) {
  const std::string& activity = flags.positional()[0];
  auto o = Open(flags);
  if (!o.ok()) return Fail(kExitError, o.status().message());
  Status s = o->service->ReleaseActivity(activity, Principal(flags), flags.GetOr("reason", ""));
  if (!s.ok()) return StatusExit(s);
  std::printf("%s released\n", Named(activity));
  return kExitOk;
}

void DeclareHolds(CommandSpec& spec) {
  spec.Summary("the activity holds in force and, with --log N, the last N hold-log entries")
      .Option("log", "N", "also the newest N entries of the hold log (who, when, why)")
      .Json()
      .StoreOptions();
}

int RunHolds(const Flags& flags) {
  Result<int64_t> log_entries = flags.GetInt("log", 0);
  if (!log_entries.ok() || *log_entries < 0 || *log_entries > 10000) return Fail(kExitUsage, "--log must be 0..10000");
  auto o = Open(flags);
  if (!o.ok()) return Fail(kExitError, o.status().message());
  auto holds = o->service->store().ListActivityHolds();
  if (!holds.ok()) return StatusExit(holds.status());
  std::vector<ActivityHoldEvent> log;
  if (*log_entries > 0) {
    auto read = o->service->store().ListActivityHoldLog(static_cast<int>(*log_entries));
    if (!read.ok()) return StatusExit(read.status());
    log = std::move(read).value();
  }
  if (flags.Has("json")) {
    Value::List items;
    for (const ActivityHold& h : *holds) items.push_back(ActivityHoldView(h));
    Value out = Value::Map{{"holds", Value(std::move(items))}};
    if (*log_entries > 0) {
      Value::List entries;
      for (const ActivityHoldEvent& e : log) entries.push_back(ActivityHoldEventView(e));
      out["log"] = Value(std::move(entries));
    }
    std::printf("%s\n", out.ToPrettyJson().c_str());
    return kExitOk;
  }
  if (holds->empty()) std::printf("no activity is held\n");
  for (const ActivityHold& h : *holds) {
    std::printf("%-32s held by %s at %s: %s\n", h.activity.c_str(), h.held_by.c_str(),
                FormatRfc3339Utc(h.held_at).c_str(), h.reason.c_str());
  }
  for (const ActivityHoldEvent& e : log) {
    std::printf("%s  %-7s %-32s by %s: %s\n", FormatRfc3339Utc(e.at).c_str(), e.action.c_str(), e.activity.c_str(),
                e.principal.c_str(), e.reason.c_str());
  }
  return kExitOk;
}

}  // namespace steadfast::cli
