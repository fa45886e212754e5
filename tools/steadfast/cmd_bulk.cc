// The bulk verb: one action on every instance a filter matches
// (runtime/bulk_operations.h; docs/cli.md "Bulk actions").
//
//   steadfast bulk pause|resume|retry|cancel FILTER --reason TEXT [--dry-run] [--sample N] [--json]
//   steadfast bulk list [--state running|completed] [--limit N] [--json]
//   steadfast bulk show ID [--json]
//
// Locally (--db) the operation runs in this process, with a progress bar on
// stderr; interrupted, it stays "running" and `steadfast serve` finishes it
// (or run the same command again: instances already handled are skipped).
// With --server the server runs it and this command follows its progress.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "cli_context.h"
#include "commands.h"
#include "filter_flags.h"
#include "http_client.h"
#include "progress_reporter.h"
#include "runtime/bulk_operations.h"
#include "runtime/workflow_service.h"
#include "steadfast/clock.h"

namespace steadfast::cli {
namespace {

constexpr int kPollMs = 200;

bool ServerMode(const Flags& flags) { return flags.Get("server").has_value(); }

ApiClient MakeClient(const Flags& flags) {
  const char* token = std::getenv("STEADFAST_TOKEN");
  std::string ca = flags.GetOr("cacert", "");
  if (ca.empty()) {
    if (const char* env = std::getenv("STEADFAST_CACERT")) ca = env;
  }
  return ApiClient(MakeApiTransport(ca), *flags.Get("server"), token ? token : "");
}

// A refused or failed exchange: 400 is a usage error, other 4xx 1, the rest 3.
int RemoteFail(const Result<ApiReply>& r) {
  if (!r.ok()) return Fail(kExitError, r.status().message());
  std::string code = r->error_code().empty() ? "http_" + std::to_string(r->status) : r->error_code();
  std::string text = code + ": " + r->error_message();
  if (r->status == 400) return Fail(kExitUsage, text);
  if (r->status >= 400 && r->status < 500 && r->status != 429) return Fail(kExitFailed, text);
  return Fail(kExitError, text);
}

int StatusExit(const Status& s) {
  if (s.code() == StatusCode::kInvalidArgument) return Fail(kExitUsage, s.message());
  if (s.code() == StatusCode::kNotFound) return Fail(kExitFailed, s.message());
  return Fail(kExitError, s.ToString());
}

// Feeds an operation's counts, as they grow, to a ProgressReporter on
// stderr (a bar on a terminal, a few lines in a log).
class OperationProgress {
 public:
  explicit OperationProgress(const Value& op)
      : reporter_(ProgressReporter::ForStderr(op.Get("action").StringOr("bulk"), op.Get("total").IntOr(0))) {}
  void Update(const Value& op) {
    const int64_t failed = op.Get("failed").IntOr(0);
    const int64_t handled = op.Get("done").IntOr(0) + op.Get("skipped").IntOr(0) + failed;
    if (handled > handled_) reporter_.Advance(handled - handled_, failed - failed_);
    handled_ = std::max(handled_, handled);
    failed_ = std::max(failed_, failed);
  }
  void Finish() { reporter_.Finish(); }

 private:
  ProgressReporter reporter_;
  int64_t handled_ = 0;
  int64_t failed_ = 0;
};

void PrintOperation(const Value& op, bool json) {
  if (json) {
    std::printf("%s\n", op.ToPrettyJson().c_str());
    return;
  }
  std::printf("%s %s (%s): %lld matching, %lld done, %lld skipped, %lld failed\n", op.Get("id").StringOr("").c_str(),
              op.Get("action").StringOr("").c_str(), op.Get("state").StringOr("").c_str(),
              static_cast<long long>(op.Get("total").IntOr(0)), static_cast<long long>(op.Get("done").IntOr(0)),
              static_cast<long long>(op.Get("skipped").IntOr(0)), static_cast<long long>(op.Get("failed").IntOr(0)));
  std::printf("  filter %s, by %s at %s: %s\n", op.Get("filter").ToJson().c_str(),
              op.Get("requested_by").StringOr("").c_str(), op.Get("created_at").StringOr("").c_str(),
              op.Get("reason").StringOr("").c_str());
  if (op.Get("failures").is_list()) {
    for (const Value& f : op.Get("failures").AsList()) {
      std::printf("  failed %s: %s\n", f.Get("instance_id").StringOr("").c_str(), f.Get("reason").StringOr("").c_str());
    }
  }
}

void PrintPreview(const Value& preview, bool json) {
  if (json) {
    std::printf("%s\n", preview.ToPrettyJson().c_str());
    return;
  }
  std::printf("dry run: %s would act on %lld instance(s) matching %s; nothing was changed\n",
              preview.Get("action").StringOr("").c_str(), static_cast<long long>(preview.Get("total").IntOr(0)),
              preview.Get("filter").ToJson().c_str());
  if (preview.Get("sample").is_list()) {
    for (const Value& id : preview.Get("sample").AsList()) std::printf("  %s\n", id.StringOr("").c_str());
  }
}

// Exit 1 when some instance could not be acted on.
int OperationExit(const Value& op) { return op.Get("failed").IntOr(0) > 0 ? kExitFailed : kExitOk; }

int RemoteAct(const Flags& flags, const std::string& action, const FilterParams& params, int64_t sample) {
  Value::Map filter;
  for (const auto& [name, value] : params) {
    if (name == "status" && filter.contains(name)) continue;  // one --status flag: never repeated
    filter[name] = value;
  }
  Value body = Value::Map{{"action", action},
                          {"filter", Value(std::move(filter))},
                          {"reason", flags.GetOr("reason", "")},
                          {"dry_run", flags.Has("dry-run")},
                          {"sample", sample}};
  ApiClient client = MakeClient(flags);
  auto r = client.Post("/v1/bulk-operations", body.ToJson());
  if (!r.ok() || !r->ok()) return RemoteFail(r);
  if (flags.Has("dry-run")) {
    PrintPreview(r->json, flags.Has("json"));
    return kExitOk;
  }
  const std::string path = "/v1/bulk-operations/" + UrlEscape(r->json.Get("id").StringOr(""));
  Value op = r->json;
  OperationProgress progress(op);
  while (op.Get("state").StringOr("") == "running") {
    progress.Update(op);
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
    auto poll = client.Get(path);
    if (!poll.ok() || !poll->ok()) return RemoteFail(poll);
    op = poll->json;
  }
  progress.Update(op);
  progress.Finish();
  PrintOperation(op, flags.Has("json"));
  return OperationExit(op);
}

int LocalAct(const Flags& flags, BulkAction action, const ListFilter& filter, int64_t sample) {
  auto ctx = OpenContext(flags, ContextNeeds{true, true});
  if (!ctx.ok()) return Fail(kExitError, ctx.status().message());
  WorkflowService service(*(*ctx)->store, *(*ctx)->catalog, SystemClock::Instance(), (*ctx)->random);
  BulkOperations operations(service, SystemClock::Instance(), (*ctx)->random);
  BulkRequest request{action, filter, flags.GetOr("reason", ""), CliUser()};
  if (flags.Has("dry-run")) {
    Result<BulkPreview> preview = operations.Preview(request, static_cast<int>(sample));
    if (!preview.ok()) return StatusExit(preview.status());
    Value::List ids(preview->sample.begin(), preview->sample.end());
    PrintPreview(Value::Map{{"dry_run", true},
                            {"action", std::string(BulkActionName(action))},
                            {"filter", InstanceFilterView(filter)},
                            {"total", preview->total},
                            {"sample", Value(std::move(ids))}},
                 flags.Has("json"));
    return kExitOk;
  }
  Result<BulkOperationRecord> created = operations.Create(request);
  if (!created.ok()) return StatusExit(created.status());
  OperationProgress progress(BulkOperationView(*created));
  Result<BulkOperationRecord> op =
      operations.Run(created->id, [&](const BulkOperationRecord& now) { progress.Update(BulkOperationView(now)); });
  if (!op.ok()) {
    return Fail(kExitError, "bulk operation " + created->id + " stopped (steadfast serve finishes it): " +
                                op.status().ToString());
  }
  progress.Finish();
  Value view = BulkOperationView(*op);
  PrintOperation(view, flags.Has("json"));
  return OperationExit(view);
}

int ListOperations(const Flags& flags) {
  auto limit = flags.GetInt("limit", 20);
  if (!limit.ok() || *limit < 1) return Fail(kExitUsage, "--limit must be a positive integer");
  std::string state = flags.GetOr("state", "");
  if (!state.empty() && state != "running" && state != "completed") {
    return Fail(kExitUsage, "--state must be running or completed");
  }
  Value::List items;
  if (ServerMode(flags)) {
    std::string query = "?limit=" + std::to_string(*limit) + (state.empty() ? "" : "&state=" + state);
    ApiClient client = MakeClient(flags);
    auto r = client.Get("/v1/bulk-operations" + query);
    if (!r.ok() || !r->ok()) return RemoteFail(r);
    if (r->json.Get("items").is_list()) items = r->json.Get("items").AsList();
  } else {
    auto ctx = OpenContext(flags, ContextNeeds{true, false});
    if (!ctx.ok()) return Fail(kExitError, ctx.status().message());
    auto ops = (*ctx)->store->ListBulkOperations(state, "", static_cast<int>(*limit));
    if (!ops.ok()) return StatusExit(ops.status());
    for (const BulkOperationRecord& op : *ops) items.push_back(BulkOperationView(op));
  }
  if (flags.Has("json")) {
    std::printf("%s\n", Value(std::move(items)).ToPrettyJson().c_str());
    return kExitOk;
  }
  for (const Value& op : items) PrintOperation(op, false);
  return kExitOk;
}

int ShowOperation(const Flags& flags, const std::string& id) {
  Value view;
  if (ServerMode(flags)) {
    ApiClient client = MakeClient(flags);
    auto r = client.Get("/v1/bulk-operations/" + UrlEscape(id));
    if (!r.ok() || !r->ok()) return RemoteFail(r);
    view = r->json;
  } else {
    auto ctx = OpenContext(flags, ContextNeeds{true, false});
    if (!ctx.ok()) return Fail(kExitError, ctx.status().message());
    auto op = (*ctx)->store->GetBulkOperation(id);
    if (!op.ok()) return StatusExit(op.status());
    if (!*op) return Fail(kExitFailed, "no bulk operation '" + id + "'");
    view = BulkOperationView(**op);
  }
  PrintOperation(view, flags.Has("json"));
  return kExitOk;
}

}  // namespace

void DeclareBulk(CommandSpec& spec) {
  spec.Summary("pauses, resumes, retries or cancels every instance a filter matches (dry run first); lists the bulk operations")
      .Positional("ACTION", "pause | resume | retry | cancel | list | show")
      .OptionalPositional("ID", "show: the bulk operation")
      .Details(
          "  steadfast bulk resume --status paused --error-code psp_unavailable --reason \"PSP back\" --dry-run\n"
          "  steadfast bulk resume --status paused --error-code psp_unavailable --reason \"PSP back\"\n"
          "  steadfast bulk pause --workflow reservation_refund --step psp_refund --reason \"PSP incident\"\n"
          "  steadfast bulk retry --status failed --error-code psp_unavailable --reason \"PSP back\"\n"
          "  steadfast bulk list\n"
          "retry runs each instance again from the step it failed or paused at, with the same idempotency keys.\n"
          "Each instance is handled once: run an interrupted operation again, or let `steadfast serve` finish it.\n"
          "Exit 0, or 1 when some instance could not be acted on (docs/cli.md, \"Bulk actions\").");
  AddFilterOptions(spec);
  spec.Option("reason", "TEXT", "why (required for an action: kept in the operation's audit record)")
      .Switch("dry-run", "show how many instances match and the first --sample ids; change nothing")
      .Option("sample", "N", "ids a dry run shows (1-100, default 10)")
      .Option("state", "running|completed", "list: only operations in this state")
      .Option("limit", "N", "list: at most N operations (default 20)")
      .Json()
      .StoreOptions()
      .Option("server", "URL", "act through a serving engine's HTTP API (token in STEADFAST_TOKEN)")
      .Option("cacert", "FILE", "with --server: the CA certificate to trust (or STEADFAST_CACERT)");
}

int RunBulk(const Flags& flags) {
  const std::string& verb = flags.positional()[0];
  const bool has_id = flags.positional().size() > 1;
  if (verb == "list" && !has_id) return ListOperations(flags);
  if (verb == "show" && has_id) return ShowOperation(flags, flags.positional()[1]);
  if (verb == "show") return Fail(kExitUsage, "bulk show needs the operation's ID");
  std::optional<BulkAction> action = ParseBulkAction(verb);
  if (!action || has_id) {
    return Fail(kExitUsage, "unknown bulk action '" + verb + "' (actions: " + kBulkActionNames + "; or list, show ID)");
  }
  if (!flags.Get("reason")) return Fail(kExitUsage, "--reason is required: it is kept in the operation's audit record");
  auto sample = flags.GetInt("sample", 10);
  if (!sample.ok() || *sample < 1 || *sample > 100) return Fail(kExitUsage, "--sample must be from 1 to 100");
  Result<FilterParams> params = FilterParamsFromFlags(flags);
  if (!params.ok()) return Fail(kExitUsage, params.status().message());
  Result<ListFilter> filter = ParseInstanceFilter(*params);
  if (!filter.ok()) return Fail(kExitUsage, filter.status().message());
  if (ServerMode(flags)) return RemoteAct(flags, verb, *params, *sample);
  return LocalAct(flags, *action, *filter, *sample);
}

}  // namespace steadfast::cli
