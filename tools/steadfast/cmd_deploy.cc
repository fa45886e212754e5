// steadfast deploy FILE... --server URL: registers each workflow file as a
// new version on a running engine, without a restart (POST /v1/definitions,
// docs/http.md). A file with problems is refused whole, each problem as
// file:line:col; the same name and version with other content is refused;
// the same content again changes nothing.
#include <cstdio>

#include "cli_context.h"
#include "client_options.h"
#include "commands.h"

namespace steadfast::cli {

void DeclareDeploy(CommandSpec& spec) {
  spec.Summary("registers workflow versions on a running server, without a restart")
      .Positionals("FILE.yaml", "the workflow definitions")
      .Json();
  ServerOptions(spec);
  spec.Details("Needs --server URL and an operator's token in STEADFAST_TOKEN. Exit 0 every file deployed (or\n"
               "already deployed, identical); 1 a file has problems (printed as file:line:col) or its name and\n"
               "version exist with other content; 2 bad usage or an unreadable file; 3 no answer.");
}

int RunDeploy(const Flags& flags) {
  if (!ServerMode(flags)) {
    return Fail(kExitUsage, "deploy needs --server URL: it registers versions on a running engine "
                            "(files in the workflows directory are loaded when serve starts)");
  }
  ApiClient client = MakeApiClient(flags);
  Value::List results;
  int exit_code = kExitOk;
  for (const std::string& file : flags.positional()) {
    Result<std::string> source = ReadArgOrFile("@" + file);
    if (!source.ok()) return Fail(kExitUsage, source.status().message());
    Value body = Value::Map{{"source", *source}, {"file", file}};
    Result<ApiReply> r = client.Post("/v1/definitions", body.ToJson());
    if (r.ok() && r->status == 422) {
      if (r->json.Get("error").Get("problems").is_list()) {
        for (const Value& p : r->json.Get("error").Get("problems").AsList()) {
          std::fprintf(stderr, "%s\n", p.Get("text").StringOr("").c_str());
        }
      }
      std::fprintf(stderr, "steadfast: %s\n", r->error_message().c_str());
      if (flags.Has("json")) results.push_back(Value::Map{{"file", file}, {"error", r->json.Get("error")}});
      exit_code = kExitFailed;
      continue;
    }
    if (!r.ok() || !r->ok()) {
      int code = RemoteFail(r);
      if (code != kExitFailed) return code;  // the server is not answering: stop
      exit_code = kExitFailed;
      if (flags.Has("json") && r.ok()) results.push_back(Value::Map{{"file", file}, {"error", r->json.Get("error")}});
      continue;
    }
    const Value& v = r->json;
    if (flags.Has("json")) {
      Value item = v;
      item["file"] = file;
      results.push_back(std::move(item));
      continue;
    }
    std::string what = v.Get("name").StringOr("") + " v" + std::to_string(v.Get("version").IntOr(0));
    if (v.Get("created").BoolOr(false)) {
      std::printf("%s: %s deployed (%s)\n", file.c_str(), what.c_str(), v.Get("hash").StringOr("").substr(0, 12).c_str());
    } else {
      std::printf("%s: %s already deployed, identical (by %s at %s)\n", file.c_str(), what.c_str(),
                  v.Get("deployed_by").StringOr("").c_str(), v.Get("deployed_at").StringOr("").c_str());
    }
  }
  if (flags.Has("json")) std::printf("%s\n", Value(std::move(results)).ToPrettyJson().c_str());
  return exit_code;
}

}  // namespace steadfast::cli
