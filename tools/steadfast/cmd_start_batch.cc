// steadfast start --batch FILE.jsonl WORKFLOW [--key-field F] [--preview]:
// one instance per line (runtime/batch_start.h), locally or, with
// --server, through POST /v1/workflows:batch. --preview (--dry-run) checks
// every line and prints what the workflow's plugin says the batch would do
// (the refund plugin: `refund policy-diff` style totals), starting nothing.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli_context.h"
#include "commands.h"
#include "http_client.h"
#include "runtime/batch_start.h"
#include "runtime/workflow_service.h"
#include "steadfast/clock.h"

namespace steadfast::cli {
namespace {

constexpr const char* kUsage =
    "steadfast start: --batch needs a file: steadfast start --batch FILE.jsonl WORKFLOW [--key-field PATH] "
    "[--preview|--dry-run]";

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void PrintRejected(const Value& rejected) {
  for (const Value& r : rejected.AsList()) {
    std::printf("  line %lld: %s\n", static_cast<long long>(r.Get("line").IntOr(0)),
                r.Get("reason").StringOr("").c_str());
  }
}

// The summary both modes print from the report's JSON (BatchReportToValue).
int PrintReport(const std::string& file, const Value& report, bool json) {
  const int64_t rejected = static_cast<int64_t>(report.Get("rejected").AsList().size());
  if (json) {
    std::printf("%s\n", report.ToPrettyJson().c_str());
  } else {
    std::printf("batch %s: %lld line(s): %lld started, %lld already started, %lld rejected\n", file.c_str(),
                static_cast<long long>(report.Get("total").IntOr(0)),
                static_cast<long long>(report.Get("created").IntOr(0)),
                static_cast<long long>(report.Get("existing").IntOr(0)), static_cast<long long>(rejected));
    PrintRejected(report.Get("rejected"));
  }
  return rejected > 0 ? kExitFailed : kExitOk;
}

int PrintPreview(const std::string& file, const Value& preview, bool json) {
  const int64_t rejected = static_cast<int64_t>(preview.Get("rejected").AsList().size());
  if (json) {
    std::printf("%s\n", preview.ToPrettyJson().c_str());
  } else {
    std::printf("preview of batch %s (%s): %lld line(s), %lld would start or exist, %lld rejected; nothing started\n",
                file.c_str(), preview.Get("workflow").StringOr("").c_str(),
                static_cast<long long>(preview.Get("total").IntOr(0)),
                static_cast<long long>(preview.Get("valid").IntOr(0)), static_cast<long long>(rejected));
    PrintRejected(preview.Get("rejected"));
    const std::string text = preview.Get("preview_text").StringOr("");
    std::printf("\n%s", text.empty() ? "(no plugin previews this workflow's batches)\n" : text.c_str());
  }
  return rejected > 0 ? kExitFailed : kExitOk;
}

int RemoteBatch(const Flags& flags, const std::string& file, const std::string& text, const std::string& workflow) {
  Value body = Value::Map{{"workflow", workflow}, {"jsonl", text}};
  if (auto key = flags.Get("key-field")) body["key_field"] = *key;
  if (auto version = flags.Get("version")) body["version"] = std::atoll(version->c_str());
  if (auto priority = flags.GetInt("priority", 0); priority.ok() && *priority != 0) body["priority"] = *priority;
  const bool preview = flags.Has("preview") || flags.Has("dry-run");
  if (preview) body["preview"] = true;
  const char* token = std::getenv("STEADFAST_TOKEN");
  std::string ca = flags.GetOr("cacert", "");
  if (ca.empty()) {
    if (const char* env = std::getenv("STEADFAST_CACERT")) ca = env;
  }
  ApiClient client(MakeApiTransport(ca), *flags.Get("server"), token ? token : "");
  std::fprintf(stderr, "sending %s (%zu bytes) to %s ...\n", file.c_str(), text.size(), flags.Get("server")->c_str());
  Result<ApiReply> r = client.Post("/v1/workflows:batch", body.ToJson());
  if (!r.ok()) return Fail(kExitError, r.status().message());
  if (!r->ok()) {
    std::string message = r->error_code() + ": " + r->error_message();
    if (r->status == 400 || r->status == 404 || r->status == 413) return Fail(kExitUsage, message);
    return Fail(r->status < 500 && r->status != 429 ? kExitFailed : kExitError, message);
  }
  return preview ? PrintPreview(file, r->json, flags.Has("json")) : PrintReport(file, r->json, flags.Has("json"));
}

}  // namespace

int RunStartBatch(const Flags& given) {
  const Flags* flags = &given;
  if (flags->GetOr("batch", "").empty()) return Fail(kExitUsage, kUsage);
  const std::string file = *flags->Get("batch");
  auto text = ReadWholeFile(file);
  if (!text.ok()) return Fail(kExitUsage, text.status().message());
  auto version = flags->GetInt("version", 0);
  if (!version.ok()) return Fail(kExitUsage, version.status().message());
  std::string workflow = flags->positional()[0];
  if (flags->Get("server")) {
    if (flags->Get("as")) return Fail(kExitUsage, "--as is not accepted with --server: the principal is the token's");
    return RemoteBatch(*flags, file, *text, workflow);
  }

  auto ctx = OpenContext(*flags, ContextNeeds{true, true});
  if (!ctx.ok()) return Fail(kExitError, ctx.status().message());
  // A path to a YAML file works as well as a catalog name.
  if (workflow.size() > 5 && (workflow.ends_with(".yaml") || workflow.ends_with(".yml"))) {
    auto def = (*ctx)->catalog->AddFile(workflow);
    if (!def.ok()) return Fail(kExitUsage, def.status().message());
    workflow = (*def)->name;
  }
  auto def = (*ctx)->catalog->Find(workflow, static_cast<int>(*version));
  if (!def.ok()) return Fail(kExitUsage, def.status().message());
  auto parsed = ParseBatch(*text, workflow, flags->GetOr("key-field", ""));
  if (!parsed.ok()) return Fail(kExitUsage, parsed.status().message());

  if (flags->Has("preview") || flags->Has("dry-run")) {
    Value preview = PreviewBatch(**def, *parsed, (*ctx)->batch_previews.Find(workflow));
    return PrintPreview(file, preview, flags->Has("json"));
  }

  WorkflowService service(*(*ctx)->store, *(*ctx)->catalog, SystemClock::Instance(), (*ctx)->random);
  StartOptions base;
  base.workflow = workflow;
  base.version = static_cast<int>(*version);
  base.requested_by = flags->GetOr("as", CliUser());
  base.started_by = CliUser();
  if (auto priority = flags->GetInt("priority", 0); priority.ok()) base.priority = static_cast<int>(*priority);
  // Progress on stderr: a line per tenth of the file (and the last line).
  const bool tty = isatty(STDERR_FILENO) != 0;
  int last_tenth = -1;
  auto progress = [&](int done, int total) {
    int tenth = total > 0 ? done * 10 / total : 10;
    if (tty) {
      std::fprintf(stderr, "\rstarting: %d/%d lines", done, total);
      if (done == total) std::fputc('\n', stderr);
    } else if (tenth != last_tenth || done == total) {
      std::fprintf(stderr, "starting: %d/%d lines\n", done, total);
    }
    last_tenth = tenth;
  };
  auto report = RunBatch(service, base, *parsed, progress);
  if (!report.ok()) return Fail(kExitError, report.status().message() + " (run the batch again to go on)");
  return PrintReport(file, BatchReportToValue(*report), flags->Has("json"));
}

}  // namespace steadfast::cli
