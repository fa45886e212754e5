// steadfast purge --before WHEN: deletes finished instances and their
// history from the database of --db or the config (runtime/purge.h).
#include <cstdio>

#include "cli_context.h"
#include "commands.h"
#include "progress_reporter.h"
#include "runtime/purge.h"
#include "steadfast/time_text.h"

namespace steadfast::cli {
namespace {

// "2026-09-01T00:00:00Z" as is; "90d" as that long before now.
Result<TimeMs> ParseBefore(const std::string& text, TimeMs now) {
  if (Result<TimeMs> at = ParseRfc3339(text); at.ok()) return *at;
  Result<int64_t> ago = ParseDurationMs(text);
  if (!ago.ok()) {
    return Status::InvalidArgument("--before '" + text +
                                   "' is neither an RFC 3339 time (2026-09-01T00:00:00Z) nor a duration (90d)");
  }
  return now - *ago;
}

Value ReportView(const PurgeReport& r, const PurgeRequest& request) {
  Value::List sample(r.sample.begin(), r.sample.end());
  return Value::Map{{"dry_run", request.dry_run},
                    {"finished_before", FormatRfc3339Utc(request.finished_before)},
                    {"workflow", request.workflow},
                    {"matched", r.matched},
                    {"purged", r.purged},
                    {"sample", Value(std::move(sample))}};
}

}  // namespace

void DeclarePurge(CommandSpec& spec) {
  spec.Summary("deletes finished instances and their history, to keep the database bounded")
      .Option("before", "WHEN", "finished before this: an RFC 3339 time, or a duration ago (90d)")
      .Option("workflow", "NAME", "only this workflow's instances")
      .Switch("dry-run", "count and show a sample; delete nothing")
      .Json()
      .StoreOptions()
      .Details("Completed, failed, compensated and cancelled instances whose last change is older than WHEN go,\n"
               "with their history, signals and search keys; running, waiting, sleeping and paused ones stay,\n"
               "however old. Plugins keep their own records (the refund plugin's refunds and ledger). Batches\n"
               "of 500 commit one by one: an interrupted purge is run again. Exit 0; 2 bad usage; 3 store error.");
}

int RunPurge(const Flags& flags) {
  auto before = flags.Get("before");
  if (!before) return Fail(kExitUsage, "purge needs --before WHEN (an RFC 3339 time, or a duration ago such as 90d)");
  Result<TimeMs> at = ParseBefore(*before, SystemClock::Instance().NowMs());
  if (!at.ok()) return Fail(kExitUsage, at.status().message());
  PurgeRequest request;
  request.finished_before = *at;
  request.workflow = flags.GetOr("workflow", "");
  auto ctx = OpenContext(flags, ContextNeeds{true, false});
  if (!ctx.ok()) return Fail(kExitError, ctx.status().message());
  Store& store = *(*ctx)->store;

  PurgeRequest preview = request;
  preview.dry_run = true;
  Result<PurgeReport> seen = PurgeFinished(store, preview);
  if (!seen.ok()) return Fail(kExitError, seen.status().ToString());
  if (flags.Has("dry-run")) {
    if (flags.Has("json")) {
      std::printf("%s\n", ReportView(*seen, preview).ToPrettyJson().c_str());
      return kExitOk;
    }
    std::printf("dry run: %lld finished instance(s) before %s%s would be purged; nothing was deleted\n",
                static_cast<long long>(seen->matched), FormatRfc3339Utc(request.finished_before).c_str(),
                request.workflow.empty() ? "" : (" of " + request.workflow).c_str());
    for (const std::string& id : seen->sample) std::printf("  %s\n", id.c_str());
    return kExitOk;
  }
  // Progress on stderr, except with --json (its output is the report alone).
  int64_t reported = 0;
  auto purge = [&]() -> Result<PurgeReport> {
    if (flags.Has("json")) {
      return PurgeFinished(store, request, [&](int64_t purged) {
        reported = purged;
        return true;
      });
    }
    ProgressReporter progress = ProgressReporter::ForStderr("purge", seen->matched);
    Result<PurgeReport> r = PurgeFinished(store, request, [&](int64_t purged) {
      progress.Advance(purged - reported);
      reported = purged;
      return true;
    });
    progress.Finish();
    return r;
  };
  Result<PurgeReport> done = purge();
  if (!done.ok()) {
    return Fail(kExitError, "purge stopped after " + std::to_string(reported) + " instance(s) (run it again): " +
                                done.status().ToString());
  }
  if (flags.Has("json")) {
    std::printf("%s\n", ReportView(*done, request).ToPrettyJson().c_str());
  } else {
    std::printf("purged %lld finished instance(s) before %s\n", static_cast<long long>(done->purged),
                FormatRfc3339Utc(request.finished_before).c_str());
  }
  return kExitOk;
}

}  // namespace steadfast::cli
