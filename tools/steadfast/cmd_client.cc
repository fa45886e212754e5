// The client verbs: start, status, history, list, approve, reject, signal,
// cancel, pause, resume, retry, and the schedules' (schedules; schedule show|history|pause|
// resume|trigger: docs/schedules.md). In local mode (the default: --db or the config's
// database) they act on the database file directly; a serving engine
// notices the change within its poll interval. With --server URL they are
// HTTP clients of a serving engine's API (docs/http.md), authenticated by
// the bearer token in STEADFAST_TOKEN. Both modes print the same output.
#include <cstdio>
#include <cstdlib>

#include "cli_context.h"
#include "core/priority.h"
#include "steadfast/clock.h"
#include "steadfast/time_text.h"
#include "commands.h"
#include "runtime/schedule_views.h"
#include "runtime/scheduler.h"
#include "runtime/views.h"
#include "runtime/workflow_service.h"
#include "filter_flags.h"
#include "client_options.h"
#include "http_client.h"

namespace steadfast::cli {
namespace {

int StatusExit(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kConflict:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kPermissionDenied:
      return Fail(kExitFailed, s.ToString());
    default:
      return Fail(kExitError, s.ToString());
  }
}

// Prints an instance from its JSON view (runtime/views.h), which both modes have.
void PrintView(const Value& v, bool json) {
  if (json) {
    std::printf("%s\n", v.ToPrettyJson().c_str());
    return;
  }
  std::printf("id:        %s\n", v.Get("id").StringOr("").c_str());
  std::printf("workflow:  %s v%lld (%s)\n", v.Get("workflow").StringOr("").c_str(),
              static_cast<long long>(v.Get("version").IntOr(0)),
              v.Get("definition_hash").StringOr("").substr(0, 12).c_str());
  std::printf("status:    %s\n", v.Get("status").StringOr("").c_str());
  if (v.Get("current_step").is_string()) std::printf("step:      %s\n", v.Get("current_step").AsString().c_str());
  if (v.Get("requested_by").is_string()) std::printf("requested: %s\n", v.Get("requested_by").AsString().c_str());
  if (const Value& run = v.Get("run"); run.is_map()) {
    std::printf("run:       %lld since %s (the last one is %s)\n", static_cast<long long>(run.Get("number").IntOr(0)),
                run.Get("started_at").StringOr("").c_str(), run.Get("previous").StringOr("").c_str());
  }
  std::printf("created:   %s\nupdated:   %s\n", v.Get("created_at").StringOr("").c_str(),
              v.Get("updated_at").StringOr("").c_str());
  if (v.Get("error").is_map()) {
    std::printf("error:     %s: %s\n", v.Get("error").Get("code").StringOr("").c_str(),
                v.Get("error").Get("message").StringOr("").c_str());
  }
  const std::string status = v.Get("status").StringOr("");
  if (status == "completed" || status == "continued") std::printf("output:    %s\n", v.Get("output").ToJson().c_str());
}

void PrintInstance(const InstanceRecord& rec, bool json) { PrintView(InstanceView(rec), json); }

void PrintListRow(const Value& v) {
  std::string workflow = v.Get("workflow").StringOr("") + " v" + std::to_string(v.Get("version").IntOr(0));
  const Value* decode_error = v.Find("decode_error");
  std::string damaged = decode_error != nullptr ? "  [damaged: " + decode_error->StringOr("") + "]" : "";
  std::printf("%-40s %-26s %-17s %-16s %s%s\n", v.Get("id").StringOr("").c_str(), workflow.c_str(),
              v.Get("status").StringOr("").c_str(), v.Get("current_step").StringOr("").c_str(),
              v.Get("updated_at").StringOr("").c_str(), damaged.c_str());
}

void PrintListHeader() {
  std::printf("%-40s %-26s %-17s %-16s %s\n", "ID", "WORKFLOW", "STATUS", "STEP", "UPDATED");
}

// ---- --server mode ----------------------------------------------------------

constexpr char kAsHelp[] = "who acts (default cli:$USER); local mode only";

}  // namespace

CommandSpec& ServerOptions(CommandSpec& spec) {
  return spec.Option("server", "URL", "act through a serving engine's HTTP API (token in STEADFAST_TOKEN)")
      .Option("cacert", "FILE", "with --server: the CA certificate to trust (or STEADFAST_CACERT)");
}

CommandSpec& ClientOptions(CommandSpec& spec) { return ServerOptions(spec.StoreOptions()); }

bool ServerMode(const Flags& flags) { return flags.Get("server").has_value(); }

ApiClient MakeApiClient(const Flags& flags) {
  const char* token = std::getenv("STEADFAST_TOKEN");
  std::string ca = flags.GetOr("cacert", "");
  if (ca.empty()) {
    if (const char* env = std::getenv("STEADFAST_CACERT")) ca = env;
  }
  return ApiClient(MakeApiTransport(ca), *flags.Get("server"), token ? token : "");
}

int RemoteFail(const Result<ApiReply>& r, bool input_is_usage) {
  if (!r.ok()) return Fail(kExitError, r.status().message());
  const ApiReply& reply = *r;
  std::string code = reply.error_code();
  std::string message = reply.error_message();
  if (code.empty()) code = "http_" + std::to_string(reply.status);
  if (reply.status == 401 && std::getenv("STEADFAST_TOKEN") == nullptr) message += " (set STEADFAST_TOKEN)";
  std::string text = code + ": " + message;
  if (reply.status == 400 && input_is_usage) return Fail(kExitUsage, text);
  if (reply.status >= 400 && reply.status < 500 && reply.status != 429) return Fail(kExitFailed, text);
  return Fail(kExitError, text);
}

namespace {

// The view's RFC 3339 time ("2026-11-23T18:00:00.123Z") back to TimeMs;
// 0 when unparsable.
TimeMs ParseViewTime(const std::string& text) {
  Result<TimeMs> at = ParseRfc3339(text);
  return at.ok() ? *at : 0;
}

// A history event from its JSON view, for HistoryEventLine.
HistoryEvent EventFromView(const Value& v) {
  HistoryEvent e;
  e.seq = v.Get("seq").IntOr(0);
  e.at = ParseViewTime(v.Get("at").StringOr(""));
  e.type = v.Get("type").StringOr("");
  e.step_id = v.Get("step").StringOr("");
  e.attempt = static_cast<int>(v.Get("attempt").IntOr(0));
  e.data = v.Get("data");
  return e;
}

std::string InstancePath(const std::string& id) { return "/v1/workflows/" + UrlEscape(id); }

// --links a,b,c: ids of related instances (their spans are linked).
std::vector<std::string> LinkIds(const Flags& flags) {
  std::vector<std::string> ids;
  std::string text = flags.GetOr("links", "");
  for (size_t start = 0; start < text.size();) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) ids.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return ids;
}

int RemoteStart(const Flags& flags, const Value& input, int64_t version) {
  Value body = Value::Map{{"workflow", flags.positional()[0]}, {"input", input}};
  if (auto id = flags.Get("id")) body["id"] = *id;
  if (std::vector<std::string> links = LinkIds(flags); !links.empty()) {
    Value::List list(links.begin(), links.end());
    body["links"] = std::move(list);
  }
  if (version != 0) body["version"] = version;
  if (auto priority = flags.GetInt("priority", 0); priority.ok() && *priority != 0) body["priority"] = *priority;
  // --as names the requester on whose behalf an admin starts.
  if (auto as = flags.Get("as")) body["requested_by"] = *as;
  std::vector<std::pair<std::string, std::string>> headers;
  if (auto key = flags.Get("idempotency-key")) headers.emplace_back("Idempotency-Key", *key);
  if (auto tp = flags.Get("traceparent")) headers.emplace_back("traceparent", *tp);
  ApiClient client = MakeApiClient(flags);
  auto r = client.Post("/v1/workflows", body.ToJson(), headers);
  if (!r.ok() || !r->ok()) return RemoteFail(r, true);
  bool created = r->status == 201;
  if (flags.Has("json")) {
    Value v = r->json;
    v["created"] = created;
    std::printf("%s\n", v.ToPrettyJson().c_str());
  } else {
    std::printf("%s %s\n", r->json.Get("id").StringOr("").c_str(), created ? "started" : "already exists");
  }
  return kExitOk;
}

int RemoteStatus(const Flags& flags) {
  ApiClient client = MakeApiClient(flags);
  auto r = client.Get(InstancePath(flags.positional()[0]));
  if (!r.ok() || !r->ok()) return RemoteFail(r);
  PrintView(r->json, flags.Has("json"));
  return kExitOk;
}

int RemoteHistory(const Flags& flags) {
  ApiClient client = MakeApiClient(flags);
  Value::List all;
  int64_t after = 0;
  while (true) {
    auto r = client.Get(InstancePath(flags.positional()[0]) + "/history?limit=1000&after=" + std::to_string(after));
    if (!r.ok() || !r->ok()) return RemoteFail(r);
    if (r->json.Get("items").is_list()) {
      for (const Value& item : r->json.Get("items").AsList()) {
        if (flags.Has("json")) all.push_back(item);
        else std::printf("%s\n", HistoryEventLine(EventFromView(item)).c_str());
      }
    }
    if (!r->json.Get("next_after").is_int()) break;
    after = r->json.Get("next_after").AsInt();
  }
  if (flags.Has("json")) std::printf("%s\n", Value(std::move(all)).ToPrettyJson().c_str());
  return kExitOk;
}

// A page of the list ({"items": [...], "next_cursor": ...}) as JSON or a table.
void PrintList(const Value& page, bool json) {
  if (json) {
    std::printf("%s\n", page.ToPrettyJson().c_str());
    return;
  }
  PrintListHeader();
  if (page.Get("items").is_list()) {
    for (const Value& item : page.Get("items").AsList()) PrintListRow(item);
  }
  if (page.Get("next_cursor").is_string()) {
    std::fprintf(stderr, "(more: --cursor %s)\n", page.Get("next_cursor").AsString().c_str());
  }
}

int RemoteList(const Flags& flags, const FilterParams& params, int64_t limit) {
  std::string query = FilterQuery(params);
  query += (query.empty() ? "?" : "&") + std::string("limit=") + std::to_string(limit);
  if (query[0] != '?') query = "?" + query;
  ApiClient client = MakeApiClient(flags);
  auto r = client.Get("/v1/workflows" + query);
  if (!r.ok() || !r->ok()) return RemoteFail(r, true);
  PrintList(r->json, flags.Has("json"));
  return kExitOk;
}

int RemoteDecide(const Flags& flags, bool approve) {
  const std::string& id = flags.positional()[0];
  const std::string& step = flags.positional()[1];
  Value body = Value::Map{{"decision", approve ? "approve" : "reject"}};
  if (auto c = flags.Get("comment")) body["comment"] = *c;
  ApiClient client = MakeApiClient(flags);
  auto r = client.Post(InstancePath(id) + "/approvals/" + UrlEscape(step), body.ToJson());
  if (!r.ok() || !r->ok()) return RemoteFail(r);
  std::printf("%s %s: %s (workflow now %s)\n", id.c_str(), step.c_str(), approve ? "approved" : "rejected",
              r->json.Get("status").StringOr("").c_str());
  return kExitOk;
}

int RemoteSignal(const Flags& flags, const Value& payload) {
  const std::string& id = flags.positional()[0];
  const std::string& name = flags.positional()[1];
  std::vector<std::pair<std::string, std::string>> headers;
  if (auto key = flags.Get("key")) headers.emplace_back("Idempotency-Key", *key);
  ApiClient client = MakeApiClient(flags);
  auto r = client.Post(InstancePath(id) + "/signals/" + UrlEscape(name), payload.ToJson(), headers);
  if (!r.ok() || !r->ok()) return RemoteFail(r);
  std::string outcome = r->json.Get("outcome").StringOr("");
  const char* what = outcome == "delivered"  ? "delivered"
                     : outcome == "buffered" ? "buffered"
                                             : "duplicate (already received)";
  std::printf("signal %s to %s: %s\n", name.c_str(), id.c_str(), what);
  return kExitOk;
}

int RemoteCancel(const Flags& flags) {
  Value body = Value::Map{};
  if (auto reason = flags.Get("reason")) body["reason"] = *reason;
  ApiClient client = MakeApiClient(flags);
  auto r = client.Post(InstancePath(flags.positional()[0]) + "/cancel", body.ToJson());
  if (!r.ok() || !r->ok()) return RemoteFail(r);
  std::printf("%s\n", CancelOutcomeLine(r->json).c_str());
  return kExitOk;
}

// What a pause did, from the instance's JSON view (both modes).
std::string PauseOutcomeLine(const Value& v) {
  const std::string id = v.Get("id").StringOr("");
  const std::string step = v.Get("current_step").StringOr("");
  if (v.Get("status").StringOr("") == "paused") return id + " paused at step " + step;
  return id + " pausing: the attempt of step " + step +
         " in flight is checkpointed first, then nothing further runs until resumed";
}

std::string ResumeOutcomeLine(const Value& v) {
  return v.Get("id").StringOr("") + " resumed at step " + v.Get("current_step").StringOr("") + " (" +
         v.Get("status").StringOr("") + ")";
}

std::string RetryOutcomeLine(const Value& v) {
  return v.Get("id").StringOr("") + " retried: at step " + v.Get("current_step").StringOr("") + " (" +
         v.Get("status").StringOr("") + ")";
}

Value ReasonBody(const Flags& flags) {
  Value body = Value::Map{};
  if (auto reason = flags.Get("reason")) body["reason"] = *reason;
  return body;
}

int RemoteResume(const Flags& flags) {
  ApiClient client = MakeApiClient(flags);
  auto r = client.Post(InstancePath(flags.positional()[0]) + "/resume", ReasonBody(flags).ToJson());
  if (!r.ok() || !r->ok()) return RemoteFail(r);
  std::printf("%s\n", ResumeOutcomeLine(r->json).c_str());
  return kExitOk;
}

int RemotePause(const Flags& flags) {
  ApiClient client = MakeApiClient(flags);
  auto r = client.Post(InstancePath(flags.positional()[0]) + "/pause", ReasonBody(flags).ToJson());
  if (!r.ok() || !r->ok()) return RemoteFail(r);
  std::printf("%s\n", PauseOutcomeLine(r->json).c_str());
  return kExitOk;
}

int RemoteRetry(const Flags& flags) {
  Value body = ReasonBody(flags);
  if (auto from = flags.Get("from")) body["from_step"] = *from;
  ApiClient client = MakeApiClient(flags);
  auto r = client.Post(InstancePath(flags.positional()[0]) + "/retry", body.ToJson());
  if (!r.ok() || !r->ok()) return RemoteFail(r);
  std::printf("%s\n", RetryOutcomeLine(r->json).c_str());
  return kExitOk;
}

// pause and retry say why: the history keeps it.
int RequireReason(const Flags& flags, const char* verb) {
  if (!flags.GetOr("reason", "").empty()) return kExitOk;
  return Fail(kExitUsage, std::string("steadfast ") + verb + ": --reason TEXT is required (the history keeps why)");
}

// The principal comes from the token in --server mode; --as is only a
// start's requested_by (admin).
int RejectAsFlag(const Flags& flags) {
  if (ServerMode(flags) && flags.Get("as")) {
    return Fail(kExitUsage, "--as cannot be used with --server: the token (STEADFAST_TOKEN) names the principal");
  }
  return kExitOk;
}

struct Opened {
  std::unique_ptr<CliContext> ctx;
  std::unique_ptr<WorkflowService> service;
};

Result<Opened> OpenService(const Flags& flags, bool workflows) {
  SF_ASSIGN_OR_RETURN(std::unique_ptr<CliContext> ctx, OpenContext(flags, ContextNeeds{true, workflows}));
  Opened o;
  o.service = std::make_unique<WorkflowService>(*ctx->store, *ctx->catalog, SystemClock::Instance(), ctx->random);
  o.ctx = std::move(ctx);
  return o;
}

std::string Principal(const Flags& flags) {
  if (auto as = flags.Get("as")) return *as;
  return CliUser();
}


// ---- schedules --------------------------------------------------------------

std::string OrDash(const Value& v) { return v.is_string() && !v.AsString().empty() ? v.AsString() : "-"; }

void PrintScheduleRow(const Value& v) {
  std::printf("%-28s %-24s %-40s %-7s %-22s %s\n", v.Get("name").StringOr("").c_str(),
              v.Get("workflow").StringOr("").c_str(), v.Get("rule").StringOr("").c_str(),
              v.Get("paused").BoolOr(false) ? "paused" : "active", OrDash(v.Get("next_tick_at")).c_str(),
              OrDash(v.Get("last_instance_id")).c_str());
}

void PrintSchedule(const Value& v, bool json) {
  if (json) {
    std::printf("%s\n", v.ToPrettyJson().c_str());
    return;
  }
  std::printf("name:      %s\n", v.Get("name").StringOr("").c_str());
  std::printf("workflow:  %s\n", v.Get("workflow").StringOr("").c_str());
  std::printf("rule:      %s\n", v.Get("rule").StringOr("").c_str());
  std::printf("input:     %s\n", v.Get("input").ToJson().c_str());
  std::printf("overlap:   %s\ncatch_up:  %s", v.Get("overlap").StringOr("").c_str(),
              v.Get("catch_up").StringOr("").c_str());
  if (v.Get("catch_up_limit").is_int()) {
    std::printf(" (limit %lld)", static_cast<long long>(v.Get("catch_up_limit").AsInt()));
  }
  std::printf("\n");
  if (v.Get("paused").BoolOr(false)) {
    std::printf("state:     paused by %s at %s: %s\n", OrDash(v.Get("paused_by")).c_str(),
                OrDash(v.Get("paused_at")).c_str(), OrDash(v.Get("pause_reason")).c_str());
  } else {
    std::printf("state:     active\n");
  }
  std::printf("next tick: %s\nlast:      %s\n", OrDash(v.Get("next_tick_at")).c_str(),
              OrDash(v.Get("last_instance_id")).c_str());
}

void PrintTicks(const Value::List& ticks, bool json) {
  if (json) {
    std::printf("%s\n", Value(ticks).ToPrettyJson().c_str());
    return;
  }
  std::printf("%-24s %-9s %-11s %-48s %s\n", "TICK", "KIND", "OUTCOME", "INSTANCE", "REASON");
  for (const Value& t : ticks) {
    std::string what = t.Get("outcome").StringOr("");
    if (t.Get("ticks").IntOr(1) > 1) what += " x" + std::to_string(t.Get("ticks").IntOr(1));
    std::string reason = OrDash(t.Get("reason"));
    if (t.Get("principal").is_string()) reason += " (" + t.Get("principal").AsString() + ")";
    std::printf("%-24s %-9s %-11s %-48s %s\n", t.Get("tick_at").StringOr("").c_str(),
                t.Get("kind").StringOr("").c_str(), what.c_str(), OrDash(t.Get("instance_id")).c_str(),
                reason.c_str());
  }
}

struct OpenedScheduler {
  Opened opened;
  std::unique_ptr<Scheduler> scheduler;
};

Result<OpenedScheduler> OpenScheduler(const Flags& flags) {
  OpenedScheduler t;
  SF_ASSIGN_OR_RETURN(t.opened, OpenService(flags, true));
  t.scheduler = std::make_unique<Scheduler>(*t.opened.service, SystemClock::Instance(), *t.opened.ctx->logger);
  return t;
}

std::string SchedulePath(const std::string& name) { return "/v1/schedules/" + UrlEscape(name); }

// `schedule ACTION NAME` over HTTP.
int RemoteSchedule(const Flags& flags, const std::string& action, const std::string& name, int64_t limit) {
  const bool json = flags.Has("json");
  ApiClient client = MakeApiClient(flags);
  Result<ApiReply> r = Status::Internal("no call made");
  if (action == "show") {
    r = client.Get(SchedulePath(name));
  } else if (action == "history") {
    r = client.Get(SchedulePath(name) + "/history?limit=" + std::to_string(limit));
  } else if (action == "pause") {
    Value body = Value::Map{};
    if (auto reason = flags.Get("reason")) body["reason"] = *reason;
    r = client.Post(SchedulePath(name) + "/pause", body.ToJson());
  } else {
    r = client.Post(SchedulePath(name) + "/" + action, "{}");  // resume, trigger
  }
  if (!r.ok() || !r->ok()) return RemoteFail(r);
  if (action == "history") {
    PrintTicks(r->json.Get("items").is_list() ? r->json.Get("items").AsList() : Value::List{}, json);
  } else if (action == "trigger") {
    if (json) {
      std::printf("%s\n", r->json.ToPrettyJson().c_str());
    } else {
      std::printf("%s started %s\n", name.c_str(), r->json.Get("instance_id").StringOr("").c_str());
    }
  } else if (action == "show" || json) {
    PrintSchedule(r->json, json);
  } else {
    std::printf("%s %s\n", name.c_str(), action == "pause" ? "paused" : "resumed");
  }
  return kExitOk;
}

}  // namespace

int RunStart(const Flags& flags) {
  // --priority is checked here for both forms; they read it again.
  auto priority = flags.GetInt("priority", 0);
  if (!priority.ok()) return Fail(kExitUsage, priority.status().message());
  if (flags.Has("priority") && !IsValidPriority(*priority)) {
    return Fail(kExitUsage, "--priority must be " + std::to_string(kHighestPriority) + " (first) to " +
                                std::to_string(kLowestPriority) + " (last)");
  }
  if (flags.Has("batch")) return RunStartBatch(flags);
  auto text = ReadArgOrFile(flags.GetOr("input", "{}"));
  if (!text.ok()) return Fail(kExitUsage, text.status().message());
  auto input = Value::FromJson(*text);
  if (!input.ok()) return Fail(kExitUsage, "--input: " + std::string(ValueTooDeepMessage(input.status())));
  auto version = flags.GetInt("version", 0);
  if (!version.ok()) return Fail(kExitUsage, version.status().message());
  if (ServerMode(flags)) return RemoteStart(flags, *input, *version);
  auto o = OpenService(flags, true);
  if (!o.ok()) return Fail(kExitError, o.status().message());
  StartOptions so;
  so.workflow = flags.positional()[0];
  // A path to a YAML file works as well as a catalog name.
  if (so.workflow.size() > 5 && (so.workflow.ends_with(".yaml") || so.workflow.ends_with(".yml"))) {
    auto def = o->ctx->catalog->AddFile(so.workflow);
    if (!def.ok()) return Fail(kExitUsage, def.status().message());
    so.workflow = (*def)->name;
  }
  so.version = static_cast<int>(*version);
  so.input = *input;
  so.id = flags.GetOr("id", "");
  so.idempotency_key = flags.GetOr("idempotency-key", "");
  so.requested_by = Principal(flags);
  so.started_by = CliUser();
  so.links = LinkIds(flags);
  so.traceparent = flags.GetOr("traceparent", "");
  so.priority = static_cast<int>(*priority);
  auto r = o->service->Start(so);
  if (!r.ok()) return r.status().code() == StatusCode::kInvalidArgument ? Fail(kExitUsage, r.status().message())
                                                                        : StatusExit(r.status());
  if (flags.Has("json")) {
    Value v = InstanceView(r->instance);
    v["created"] = r->outcome == StartOutcome::kCreated;
    std::printf("%s\n", v.ToPrettyJson().c_str());
  } else {
    std::printf("%s %s\n", r->instance.id.c_str(), r->outcome == StartOutcome::kCreated ? "started" : "already exists");
  }
  return kExitOk;
}

int RunStatus(const Flags& flags) {
  if (ServerMode(flags)) return RemoteStatus(flags);
  auto ctx = OpenContext(flags, ContextNeeds{true, false});
  if (!ctx.ok()) return Fail(kExitError, ctx.status().message());
  auto rec = (*ctx)->store->GetInstance(flags.positional()[0]);
  if (!rec.ok()) return StatusExit(rec.status());
  if (!*rec) return Fail(kExitFailed, "no workflow instance '" + flags.positional()[0] + "'");
  PrintInstance(**rec, flags.Has("json"));
  return kExitOk;
}

int RunHistory(const Flags& flags) {
  if (ServerMode(flags)) return RemoteHistory(flags);
  auto ctx = OpenContext(flags, ContextNeeds{true, false});
  if (!ctx.ok()) return Fail(kExitError, ctx.status().message());
  const std::string& id = flags.positional()[0];
  auto rec = (*ctx)->store->GetInstance(id);
  if (!rec.ok()) return StatusExit(rec.status());
  if (!*rec) return Fail(kExitFailed, "no workflow instance '" + id + "'");
  Value::List all;
  int64_t after = 0;
  while (true) {
    auto page = (*ctx)->store->GetHistory(id, after, 1000);
    if (!page.ok()) return StatusExit(page.status());
    for (const HistoryEvent& e : *page) {
      if (flags.Has("json")) all.push_back(HistoryEventView(e));
      else std::printf("%s\n", HistoryEventLine(e).c_str());
      after = e.seq;
    }
    if (page->size() < 1000) break;
  }
  if (flags.Has("json")) std::printf("%s\n", Value(std::move(all)).ToPrettyJson().c_str());
  return kExitOk;
}

int RunList(const Flags& flags) {
  auto limit = flags.GetInt("limit", 50);
  if (!limit.ok() || *limit < 1) return Fail(kExitUsage, "--limit must be a positive integer");
  Result<FilterParams> params = FilterParamsFromFlags(flags);
  if (!params.ok()) return Fail(kExitUsage, params.status().message());
  // Parsed here in --server mode too, so a bad flag is a usage error either way.
  Result<ListFilter> parsed = ParseInstanceFilter(*params);
  if (!parsed.ok()) return Fail(kExitUsage, parsed.status().message());
  if (ServerMode(flags)) return RemoteList(flags, *params, *limit);
  ListFilter filter = std::move(parsed).value();
  filter.limit = static_cast<int>(*limit) + 1;  // one more: is there a next page?
  auto ctx = OpenContext(flags, ContextNeeds{true, false});
  if (!ctx.ok()) return Fail(kExitError, ctx.status().message());
  auto list = (*ctx)->store->ListInstances(filter);
  if (!list.ok()) return StatusExit(list.status());
  bool more = static_cast<int64_t>(list->size()) > *limit;
  if (more) list->resize(static_cast<size_t>(*limit));
  Value::List items;
  for (const auto& r : *list) items.push_back(InstanceView(r));
  Value next = more && !list->empty() ? Value(list->back().id) : Value();
  PrintList(Value::Map{{"items", Value(std::move(items))}, {"next_cursor", std::move(next)}}, flags.Has("json"));
  return kExitOk;
}

namespace {

int RunDecide(const Flags& flags, bool approve) {
  if (int rc = RejectAsFlag(flags); rc != kExitOk) return rc;
  if (ServerMode(flags)) return RemoteDecide(flags, approve);
  auto o = OpenService(flags, false);
  if (!o.ok()) return Fail(kExitError, o.status().message());
  DecisionRequest req{flags.positional()[0], flags.positional()[1], approve ? Decision::kApprove : Decision::kReject,
                      Principal(flags), flags.GetOr("comment", "")};
  auto r = o->service->Decide(req);
  if (!r.ok()) return StatusExit(r.status());
  std::printf("%s %s: %s (workflow now %s)\n", req.instance_id.c_str(), req.step.c_str(), approve ? "approved" : "rejected",
              std::string(InstanceStatusName(r->status)).c_str());
  return kExitOk;
}

}  // namespace

int RunApprove(const Flags& flags) { return RunDecide(flags, true); }
int RunReject(const Flags& flags) { return RunDecide(flags, false); }

int RunSignal(const Flags& flags) {
  auto text = ReadArgOrFile(flags.GetOr("payload", "null"));
  if (!text.ok()) return Fail(kExitUsage, text.status().message());
  auto payload = Value::FromJson(*text);
  if (!payload.ok()) return Fail(kExitUsage, "--payload: " + std::string(ValueTooDeepMessage(payload.status())));
  if (int rc = RejectAsFlag(flags); rc != kExitOk) return rc;
  if (ServerMode(flags)) return RemoteSignal(flags, *payload);
  auto o = OpenService(flags, false);
  if (!o.ok()) return Fail(kExitError, o.status().message());
  SignalRequest req{flags.positional()[0], flags.positional()[1], *payload, flags.GetOr("key", ""), Principal(flags)};
  auto r = o->service->Signal(req);
  if (!r.ok()) return StatusExit(r.status());
  const char* what = *r == SignalOutcome::kDelivered ? "delivered" : *r == SignalOutcome::kBuffered ? "buffered" : "duplicate (already received)";
  std::printf("signal %s to %s: %s\n", req.name.c_str(), req.instance_id.c_str(), what);
  return kExitOk;
}

int RunCancel(const Flags& flags) {
  if (int rc = RejectAsFlag(flags); rc != kExitOk) return rc;
  if (ServerMode(flags)) return RemoteCancel(flags);
  auto o = OpenService(flags, false);
  if (!o.ok()) return Fail(kExitError, o.status().message());
  auto r = o->service->Cancel(flags.positional()[0], Principal(flags), flags.GetOr("reason", ""));
  if (!r.ok()) return StatusExit(r.status());
  std::printf("%s\n", CancelOutcomeLine(InstanceView(*r)).c_str());
  return kExitOk;
}

int RunResume(const Flags& flags) {
  if (int rc = RejectAsFlag(flags); rc != kExitOk) return rc;
  if (ServerMode(flags)) return RemoteResume(flags);
  auto o = OpenService(flags, false);
  if (!o.ok()) return Fail(kExitError, o.status().message());
  auto r = o->service->Resume(flags.positional()[0], Principal(flags), flags.GetOr("reason", ""));
  if (!r.ok()) return StatusExit(r.status());
  std::printf("%s\n", ResumeOutcomeLine(InstanceView(*r)).c_str());
  return kExitOk;
}

int RunPause(const Flags& flags) {
  if (int rc = RequireReason(flags, "pause"); rc != kExitOk) return rc;
  if (int rc = RejectAsFlag(flags); rc != kExitOk) return rc;
  if (ServerMode(flags)) return RemotePause(flags);
  auto o = OpenService(flags, false);
  if (!o.ok()) return Fail(kExitError, o.status().message());
  auto r = o->service->Pause(flags.positional()[0], Principal(flags), flags.GetOr("reason", ""));
  if (!r.ok()) return StatusExit(r.status());
  std::printf("%s\n", PauseOutcomeLine(InstanceView(*r)).c_str());
  return kExitOk;
}

int RunRetry(const Flags& flags) {
  if (int rc = RequireReason(flags, "retry"); rc != kExitOk) return rc;
  if (int rc = RejectAsFlag(flags); rc != kExitOk) return rc;
  if (ServerMode(flags)) return RemoteRetry(flags);
  auto o = OpenService(flags, false);
  if (!o.ok()) return Fail(kExitError, o.status().message());
  auto r = o->service->Retry(flags.positional()[0], flags.GetOr("from", ""), Principal(flags),
                             flags.GetOr("reason", ""));
  if (!r.ok()) return StatusExit(r.status());
  std::printf("%s\n", RetryOutcomeLine(InstanceView(*r)).c_str());
  return kExitOk;
}

int RunSchedules(const Flags& flags) {
  Value::List items;
  if (ServerMode(flags)) {
    ApiClient client = MakeApiClient(flags);
    auto r = client.Get("/v1/schedules");
    if (!r.ok() || !r->ok()) return RemoteFail(r);
    if (r->json.Get("items").is_list()) items = r->json.Get("items").AsList();
  } else {
    auto t = OpenScheduler(flags);
    if (!t.ok()) return Fail(kExitError, t.status().message());
    auto all = t->scheduler->List();
    if (!all.ok()) return StatusExit(all.status());
    for (const ScheduleInfo& info : *all) items.push_back(ScheduleView(info));
  }
  if (flags.Has("json")) {
    std::printf("%s\n", Value(Value::Map{{"items", Value(std::move(items))}}).ToPrettyJson().c_str());
    return kExitOk;
  }
  std::printf("%-28s %-24s %-40s %-7s %-22s %s\n", "NAME", "WORKFLOW", "RULE", "STATE", "NEXT TICK", "LAST INSTANCE");
  for (const Value& v : items) PrintScheduleRow(v);
  return kExitOk;
}

int RunSchedule(const Flags& flags) {
  const std::string& action = flags.positional()[0];
  const std::string& name = flags.positional()[1];
  if (action != "show" && action != "history" && action != "pause" && action != "resume" && action != "trigger") {
    return Fail(kExitUsage, "unknown schedule action '" + action + "': show, history, pause, resume or trigger");
  }
  if (int rc = RejectAsFlag(flags); rc != kExitOk) return rc;
  auto limit = flags.GetInt("limit", 20);
  if (!limit.ok() || *limit < 1 || *limit > 1000) return Fail(kExitUsage, "--limit must be from 1 to 1000");
  if (ServerMode(flags)) return RemoteSchedule(flags, action, name, *limit);
  const bool json = flags.Has("json");
  auto t = OpenScheduler(flags);
  if (!t.ok()) return Fail(kExitError, t.status().message());
  Scheduler& scheduler = *t->scheduler;
  if (action == "history") {
    auto ticks = scheduler.History(name, static_cast<int>(*limit));
    if (!ticks.ok()) return StatusExit(ticks.status());
    Value::List items;
    for (const ScheduleTick& tick : *ticks) items.push_back(ScheduleTickView(tick));
    PrintTicks(items, json);
    return kExitOk;
  }
  if (action == "trigger") {
    auto tick = scheduler.Trigger(name, Principal(flags));
    if (!tick.ok()) return StatusExit(tick.status());
    if (json) {
      std::printf("%s\n", ScheduleTickView(*tick).ToPrettyJson().c_str());
    } else {
      std::printf("%s started %s\n", name.c_str(), tick->instance_id.c_str());
    }
    return kExitOk;
  }
  if (action == "pause" || action == "resume") {
    Status s = action == "pause" ? scheduler.Pause(name, Principal(flags), flags.GetOr("reason", ""))
                                 : scheduler.Resume(name, Principal(flags));
    if (!s.ok()) return StatusExit(s);
    if (!json) {
      std::printf("%s %s\n", name.c_str(), action == "pause" ? "paused" : "resumed");
      return kExitOk;
    }
  }
  auto info = scheduler.Show(name);
  if (!info.ok()) return StatusExit(info.status());
  PrintSchedule(ScheduleView(*info), json);
  return kExitOk;
}

int RunActivities(const Flags& flags) {
  auto ctx = OpenContext(flags, ContextNeeds{false, false});
  if (!ctx.ok()) return Fail(kExitError, ctx.status().message());
  if (flags.Has("json")) {
    Value::List items;
    for (const ActivityInfo& a : (*ctx)->registry->List()) {
      items.push_back(Value::Map{{"name", a.name}, {"description", a.description}});
    }
    std::printf("%s\n", Value(std::move(items)).ToPrettyJson().c_str());
    return kExitOk;
  }
  for (const ActivityInfo& a : (*ctx)->registry->List()) std::printf("%-32s %s\n", a.name.c_str(), a.description.c_str());
  return kExitOk;
}

void DeclareStart(CommandSpec& spec) {
  spec.Summary("starts an instance of a workflow")
      .Positional("WORKFLOW", "a workflow name from the workflows directory, or a YAML path")
      .Option("input", "JSON|@FILE", "the input (default {})")
      .Option("id", "ID", "the instance id (default: generated)")
      .Option("idempotency-key", "KEY", "the same key with the same input returns the existing instance")
      .Option("version", "N", "the workflow version (default: the newest)")
      .Option("as", "PRINCIPAL", "who the instance is requested by (default cli:$USER)")
      .Option("links", "ID,ID", "related instances (trace links)")
      .Option("traceparent", "TP", "continue a caller's trace (W3C traceparent)")
      .Option("priority", "1..5", "1 runs first, 5 last (default: the workflow's priority, else 3)")
      .Option("batch", "FILE.jsonl", "one instance per line of the file (the line is its input)")
      .Option("key-field", "PATH", "with --batch: the line's idempotency key, e.g. reservation.id (default: its hash)")
      .Switch("preview", "with --batch: check the lines and print what the batch would do; start nothing")
      .Switch("dry-run", "the same as --preview")
      .Json();
  ClientOptions(spec);
}

void DeclareStatus(CommandSpec& spec) {
  spec.Summary("status, current step, error or output of an instance").Positional("ID", "the instance").Json();
  ClientOptions(spec);
}

void DeclareHistory(CommandSpec& spec) {
  spec.Summary("the history of an instance, oldest first").Positional("ID", "the instance").Json();
  ClientOptions(spec);
}

void DeclareList(CommandSpec& spec) {
  spec.Summary("find instances by search key, status, workflow, step, error, requester, time; a page at a time")
      .Details("Every filter given must hold. The same filters as GET /v1/workflows (docs/cli.md, \"Finding instances\").\n"
               "  steadfast list --key reservation_id=R-4411\n"
               "  steadfast list --workflow reservation_refund --status paused,failed --error-code psp_unavailable");
  AddFilterOptions(spec);
  spec.Option("limit", "N", "at most N instances (default 50)").Json();
  ClientOptions(spec);
}

namespace {

void DeclareDecision(CommandSpec& spec, const char* summary) {
  spec.Summary(summary)
      .Positional("ID", "the instance")
      .Positional("STEP", "the approval step")
      .Option("comment", "TEXT", "recorded with the decision")
      .Option("as", "PRINCIPAL", kAsHelp)
      .Details("Four-eyes: nobody who took part in requesting the instance may decide it.");
  ClientOptions(spec);
}

}  // namespace

void DeclareApprove(CommandSpec& spec) { DeclareDecision(spec, "approves a held approval"); }
void DeclareReject(CommandSpec& spec) { DeclareDecision(spec, "rejects a held approval"); }

void DeclareSignal(CommandSpec& spec) {
  spec.Summary("delivers an event to an instance (buffered if it is not waiting yet)")
      .Positional("ID", "the instance")
      .Positional("NAME", "the signal")
      .Option("payload", "JSON|@FILE", "the event's data (default null)")
      .Option("key", "KEY", "idempotency key: a repeated key is a no-op")
      .Option("as", "PRINCIPAL", kAsHelp);
  ClientOptions(spec);
}

void DeclareCancel(CommandSpec& spec) {
  spec.Summary("cancels a running, waiting or paused instance")
      .Positional("ID", "the instance")
      .Option("reason", "TEXT", "recorded in the history")
      .Option("as", "PRINCIPAL", kAsHelp);
  ClientOptions(spec);
}

void DeclareResume(CommandSpec& spec) {
  spec.Summary("resumes a paused instance where it paused, with a fresh retry budget")
      .Positional("ID", "the instance")
      .Option("reason", "TEXT", "why; recorded in the history")
      .Option("as", "PRINCIPAL", kAsHelp)
      .Details("Its failed step (on_exhausted: pause) or the step an operator paused it at; "
               "a pause still waiting for its attempt is withdrawn.");
  ClientOptions(spec);
}

void DeclarePause(CommandSpec& spec) {
  spec.Summary("pauses a running or waiting instance until it is resumed")
      .Positional("ID", "the instance")
      .Option("reason", "TEXT", "why (required); recorded in the history")
      .Option("as", "PRINCIPAL", kAsHelp)
      .Details("Nothing further is scheduled; the workflow deadline keeps its due time. An attempt in "
               "flight finishes and is checkpointed first, then the instance pauses at the next step.");
  ClientOptions(spec);
}

void DeclareRetry(CommandSpec& spec) {
  spec.Summary("runs a failed or paused instance again from its failed step or an earlier one")
      .Positional("ID", "the instance")
      .Option("from", "STEP", "the step to run again from (default: where it failed or paused)")
      .Option("reason", "TEXT", "why (required); recorded in the history")
      .Option("as", "PRINCIPAL", kAsHelp)
      .Details("Later results leave the live state (the history keeps them); the activities run again "
               "with the same idempotency keys, so money moves at most once. A compensated instance is "
               "refused: start a new one.");
  ClientOptions(spec);
}

void DeclareSchedules(CommandSpec& spec) {
  spec.Summary("lists the schedules: workflow, rule, paused or not, next tick, last instance").Json();
  ClientOptions(spec);
}

void DeclareSchedule(CommandSpec& spec) {
  spec.Summary("shows, pauses, resumes or triggers a schedule, or lists its recent ticks")
      .Positional("ACTION", "show | history | pause | resume | trigger")
      .Positional("NAME", "the schedule")
      .Option("reason", "TEXT", "pause: why (shown with the schedule)")
      .Option("limit", "N", "history: at most N ticks, newest first (default 20)")
      .Option("as", "PRINCIPAL", kAsHelp)
      .Json()
      .Details("trigger starts one instance now, paused or not, whatever the overlap policy. docs/schedules.md.");
  ClientOptions(spec);
}

void DeclareActivities(CommandSpec& spec) {
  spec.Summary("lists the registered activities (built-in, refund, and the config's plugins)")
      .Option("config", "FILE", "engine config whose plugins to load")
      .Json();
}

}  // namespace steadfast::cli
