// Every HTTP endpoint, in process: the ApiHandler pipeline (routing, auth,
// roles, body checks, the /v1/workflows handlers) over a real SQLite store
// and WorkflowService, with the request synthesized below the socket
// (what api_server.cc hands over after RESTinio has parsed the wire).
//
// Input (text):
//   line 1: METHOD and target, e.g. "POST /v1/workflows/held-1/approvals/review?x=1";
//           the path is split into segments as they arrive decoded, the
//           query into name=value pairs at & and = (decoded values may be
//           any bytes, so none are decoded here);
//   line 2: the bearer token ("t-ops", "t-rita", "t-rob", "t-root", any
//           other text, or "-" for no Authorization header);
//   line 3: the Idempotency-Key ("-" for none);
//   line 4: the media type ("-" for no Content-Type), e.g. "application/json;utf-8"
//           (after ';' the charset);
//   the rest: the body.
// Each input runs against a fresh copy of a database holding instances in
// every state a route acts on (api_world.h: held-1, dual-1, wait-1, low-1,
// done-1), so any route the input names reaches its handler.
// Properties: Handle never throws; no answer is a 500 (hostile input is a
// 4xx, never an internal error); JSON answers parse, errors carry a code;
// the store stays readable afterwards.
#include <string>

#include "api_world.h"
#include "core/random.h"
#include "fuzz_check.h"

namespace steadfast::http {
namespace {

std::string_view NextLine(std::string_view& text) {
  auto [line, rest] = fuzz::SplitOnce(text, "\n");
  text = rest;
  return line;
}

HttpRequest Synthesize(std::string_view text) {
  HttpRequest r;
  auto [method, target] = fuzz::SplitOnce(NextLine(text), " ");
  r.method = std::string(method);
  auto [path, query] = fuzz::SplitOnce(target, "?");
  r.path = std::string(path);
  r.segments = SplitPath(r.path);
  while (!query.empty()) {
    auto [pair, more] = fuzz::SplitOnce(query, "&");
    auto [name, value] = fuzz::SplitOnce(pair, "=");
    r.query.emplace_back(std::string(name), std::string(value));
    query = more;
  }
  if (std::string_view token = NextLine(text); token != "-") {
    r.has_authorization = true;
    r.bearer_token = std::string(token);
  }
  if (std::string_view key = NextLine(text); key != "-") r.idempotency_key = std::string(key);
  if (std::string_view type = NextLine(text); type != "-") {
    auto [media, charset] = fuzz::SplitOnce(type, ";");
    r.has_content_type = true;
    r.media_type = std::string(media);
    r.charset = std::string(charset);
  }
  r.body = std::string(text);
  return r;
}

}  // namespace
}  // namespace steadfast::http

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace steadfast;
  fuzz::ApiWorld& world = fuzz::ApiWorld::Get();
  const http::HttpRequest request = http::Synthesize(fuzz::AsText(data, size));
  std::unique_ptr<Store> store = world.Open(world.FreshCopy());
  {
    SequenceRandom random({0.5});
    WorkflowService service(*store, world.catalog(), world.clock(), random);
    http::HttpResponse response = world.Handler(service)->Handle(request);
    if (response.status >= 500) std::fprintf(stderr, "%d: %s\n", response.status, response.body.c_str());
    FUZZ_CHECK(response.status >= 200 && response.status < 500);
    if (response.content_type == "application/json") {
      Result<Value> body = Value::FromJson(response.body, kMaxEnvelopedValueDepth);
      FUZZ_CHECK(body.ok());
      if (response.status >= 400) FUZZ_CHECK(body->Get("error").Get("code").is_string());
    }
  }
  FUZZ_CHECK(store->ListInstances(ListFilter{}).ok());
  return 0;
}
