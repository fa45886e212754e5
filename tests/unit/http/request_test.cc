// Routing, error mapping, request fields, metrics text and the `http:`
// config section.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/engine_config.h"
#include "http/api_error.h"
#include "http/http_metrics.h"
#include "http/request_fields.h"
#include "http/router.h"
#include "http/workflow_endpoints.h"
#include "subprocess.h"

namespace steadfast::http {
namespace {

TEST(RouterTest, MatchesLiteralsAndParameters) {
  Router r;
  size_t list = r.Add("GET", "/v1/workflows");
  size_t start = r.Add("POST", "/v1/workflows");
  size_t get = r.Add("GET", "/v1/workflows/{id}");
  size_t decide = r.Add("POST", "/v1/workflows/{id}/approvals/{step}");

  EXPECT_EQ(r.Find("GET", SplitPath("/v1/workflows")).index, list);
  EXPECT_EQ(r.Find("POST", SplitPath("/v1/workflows")).index, start);
  RouteLookup g = r.Find("GET", SplitPath("/v1/workflows/wf-1"));
  ASSERT_EQ(g.result, RouteResult::kFound);
  EXPECT_EQ(g.index, get);
  EXPECT_EQ(g.pattern, "/v1/workflows/{id}");
  EXPECT_EQ(g.params.at("id"), "wf-1");
  RouteLookup d = r.Find("POST", {"v1", "workflows", "a/b", "approvals", "review"});
  ASSERT_EQ(d.result, RouteResult::kFound);
  EXPECT_EQ(d.index, decide);
  EXPECT_EQ(d.params.at("id"), "a/b");
  EXPECT_EQ(d.params.at("step"), "review");
}

TEST(RouterTest, DistinguishesNotFoundFromMethodNotAllowed) {
  Router r;
  r.Add("GET", "/v1/workflows");
  r.Add("POST", "/v1/workflows");
  r.Add("GET", "/v1/workflows/{id}");
  EXPECT_EQ(r.Find("GET", SplitPath("/v2/workflows")).result, RouteResult::kNotFound);
  EXPECT_EQ(r.Find("GET", SplitPath("/v1/workflows/")).result, RouteResult::kNotFound);  // empty id
  EXPECT_EQ(r.Find("GET", SplitPath("/v1/workflows/a/b")).result, RouteResult::kNotFound);
  RouteLookup del = r.Find("DELETE", SplitPath("/v1/workflows"));
  EXPECT_EQ(del.result, RouteResult::kMethodNotAllowed);
  EXPECT_EQ(del.allow, "GET, POST");
  EXPECT_EQ(del.pattern, "/v1/workflows");
  EXPECT_EQ(r.Find("PUT", SplitPath("/v1/workflows/x")).allow, "GET");
}

TEST(ApiErrorTest, MapsStatusCodes) {
  EXPECT_EQ(ErrorFromStatus(Status::InvalidArgument("x")).status, 400);
  EXPECT_EQ(ErrorFromStatus(Status::NotFound("x")).status, 404);
  EXPECT_EQ(ErrorFromStatus(Status::Conflict("x")).status, 409);
  ApiError pre = ErrorFromStatus(Status::FailedPrecondition("done"));
  EXPECT_EQ(pre.status, 409);
  EXPECT_EQ(pre.code, "invalid_state");
  ApiError four = ErrorFromStatus(Status::PermissionDenied("four_eyes: 'ops' requested this workflow"));
  EXPECT_EQ(four.status, 403);
  EXPECT_EQ(four.code, "four_eyes");
  EXPECT_EQ(four.message, "'ops' requested this workflow");
  EXPECT_EQ(ErrorFromStatus(Status::PermissionDenied("nope")).code, "forbidden");
  ApiError busy = ErrorFromStatus(Status::Busy("locked"));
  EXPECT_EQ(busy.status, 503);
  ASSERT_EQ(busy.headers.size(), 1u);
  EXPECT_EQ(busy.headers[0].first, "Retry-After");
  ApiError internal = ErrorFromStatus(Status::Internal("/secret/path exploded"));
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.message.find("/secret/path"), std::string::npos);
}

// The server's own failures never pass their message on: whatever a store
// Status says (paths, SQL) stays in the log.
TEST(ApiErrorTest, ServerSideErrorsHaveStableCodesAndPlainMessages) {
  const std::string leaky = "database is locked: /var/lib/steadfast/engine.db (INSERT INTO instances: SQLITE_BUSY)";
  struct Case {
    Status status;
    int http;
    const char* code;
  };
  const Case cases[] = {
      {Status::Busy(leaky), 503, "store_busy"},
      {Status::ResourceExhausted(leaky), 503, "resource_exhausted"},
      {Status::Unavailable(leaky), 503, "unavailable"},
      {Status::LeaseLost(leaky), 503, "unavailable"},
      {Status::Cancelled(leaky), 503, "unavailable"},
      {Status::DeadlineExceeded(leaky), 504, "timeout"},
      {Status::Internal(leaky), 500, "internal"},
      {Status::Corruption(leaky), 500, "internal"},
  };
  for (const Case& c : cases) {
    ApiError e = ErrorFromStatus(c.status);
    EXPECT_EQ(e.status, c.http) << c.status.ToString();
    EXPECT_EQ(e.code, c.code) << c.status.ToString();
    EXPECT_TRUE(e.server_side);
    EXPECT_EQ(e.message.find("engine.db"), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find("INSERT"), std::string::npos) << e.message;
  }
  EXPECT_EQ(ErrorFromStatus(Status::Busy(leaky)).message, "the store is busy, retry later");
}

TEST(ApiErrorTest, CallersErrorsKeepTheirMessages) {
  for (const Status& s : {Status::InvalidArgument("field 'amount' must be an int"), Status::NotFound("no workflow x"),
                          Status::Conflict("idempotency key k was already used"),
                          Status::FailedPrecondition("workflow 'x' is completed")}) {
    ApiError e = ErrorFromStatus(s);
    EXPECT_FALSE(e.server_side);
    EXPECT_EQ(e.message, s.message());
  }
  // A list holding an empty list. Spelt with Value(...): `List{List{}}` is a
  // copy of the empty list for clang and a one-element list for gcc.
  ApiError deep = ErrorFromStatus(CheckValueDepth(Value::List{Value(Value::List{})}, "the input", 1));
  EXPECT_EQ(deep.status, 400);
  EXPECT_EQ(deep.code, "value_too_deep");
  EXPECT_EQ(deep.message, "the input is nested deeper than the limit of 1 levels of lists and maps");
}

class CapturingLogger final : public Logger {
 public:
  void Log(LogLevel, std::string_view message) override { lines.emplace_back(message); }
  std::vector<std::string> lines;
};

TEST(ApiErrorTest, ReportErrorLogsTheCauseUnderTheIdTheBodyCarries) {
  CapturingLogger log;
  ApiError e = ReportError(Status::Busy("database is locked: /db/engine.db"), "POST /v1/workflows", log);
  const std::string id = e.extra.Get("error_id").StringOr("");
  ASSERT_EQ(id.size(), 16u);
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_NE(log.lines[0].find("POST /v1/workflows"), std::string::npos);
  EXPECT_NE(log.lines[0].find("/db/engine.db"), std::string::npos);
  EXPECT_NE(log.lines[0].find(id), std::string::npos);
  auto body = Value::FromJson(ErrorResponse(e).body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->Get("error").Get("error_id").StringOr(""), id);
  EXPECT_NE(ReportError(Status::Busy("x"), "y", log).extra.Get("error_id").StringOr(""), id);  // fresh each time
  // The caller's errors are not logged and carry no id.
  CapturingLogger quiet;
  EXPECT_TRUE(ReportError(Status::NotFound("no such workflow"), "GET", quiet).extra.is_null());
  EXPECT_TRUE(quiet.lines.empty());
}

TEST(ApiErrorTest, ErrorBodyShape) {
  ApiError e = ApiError::Make(409, "already_decided", "twice");
  e.extra = Value::Map{{"decision", Value::Map{{"decision", "approve"}}}, {"code", "ignored"}};
  HttpResponse r = ErrorResponse(e);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.content_type, "application/json");
  auto v = Value::FromJson(r.body);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Get("error").Get("code").StringOr(""), "already_decided");
  EXPECT_EQ(v->Get("error").Get("message").StringOr(""), "twice");
  EXPECT_EQ(v->Get("error").Get("decision").Get("decision").StringOr(""), "approve");
}

TEST(RequestFieldsTest, JsonObjectParsing) {
  EXPECT_TRUE(ParseJsonObject(R"({"a": 1})", false).ok());
  auto bad = ParseJsonObject("{\"a\": ", false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().status, 400);
  EXPECT_EQ(bad.error().code, "malformed_json");
  auto list = ParseJsonObject("[1]", false);
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().code, "invalid_field");
  EXPECT_FALSE(ParseJsonObject("  ", false).ok());
  auto empty = ParseJsonObject(" \n", true);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value().is_map());
}

TEST(RequestFieldsTest, FieldsNameTheOffender) {
  Value obj = *Value::FromJson(R"({"workflow": 3, "version": "1", "comment": "ok", "extra": true})");
  auto w = StringField(obj, "workflow", true);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().message, "field 'workflow' must be a string, got int");
  auto v = IntField(obj, "version", false);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message, "field 'version' must be an integer, got string");
  auto missing = StringField(obj, "decision", true);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "missing required field 'decision'");
  auto absent = StringField(obj, "nope", false);
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent.value().has_value());
  EXPECT_EQ(*StringField(obj, "comment", true).value(), "ok");
  auto unknown = CheckKnownFields(obj, {"workflow", "version", "comment"});
  ASSERT_TRUE(unknown);
  EXPECT_NE(unknown->message.find("'extra'"), std::string::npos);
}

TEST(RequestFieldsTest, QueryParameters) {
  Params q = {{"limit", "10"}, {"after", "x"}};
  EXPECT_EQ(IntParam(q, "limit", 50, 1, 100).value(), 10);
  EXPECT_EQ(IntParam(q, "missing", 50, 1, 100).value(), 50);
  EXPECT_FALSE(IntParam(q, "after", 0, 0, 100).ok());
  EXPECT_FALSE(IntParam({{"limit", "0"}}, "limit", 50, 1, 100).ok());
  EXPECT_FALSE(IntParam({{"limit", "101"}}, "limit", 50, 1, 100).ok());
  EXPECT_FALSE(IntParam({{"limit", "1x"}}, "limit", 50, 1, 100).ok());
  EXPECT_FALSE(IntParam({{"limit", ""}}, "limit", 50, 1, 100).ok());
  EXPECT_TRUE(CheckKnownParams(q, {"limit"}).has_value());
  EXPECT_FALSE(CheckKnownParams(q, {"limit", "after"}).has_value());
  auto twice = CheckKnownParams({{"limit", "1"}, {"limit", "2"}}, {"limit"});
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->code, "invalid_query");
}

TEST(HttpMetricsTest, CountsByRouteMethodStatus) {
  HttpMetrics m;
  m.Record("/v1/workflows/{id}", "GET", 200);
  m.Record("/v1/workflows/{id}", "GET", 200);
  m.Record("/v1/workflows", "POST", 429);
  m.Record("unmatched", "BREW", 404);
  std::string text = m.Render();
  EXPECT_NE(text.find("steadfast_http_requests_total{route=\"/v1/workflows/{id}\",method=\"GET\",status=\"200\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("method=\"OTHER\""), std::string::npos);
  EXPECT_NE(text.find("steadfast_http_rate_limited_total 1"), std::string::npos);
  EXPECT_NE(text.find("# TYPE steadfast_http_requests_total counter"), std::string::npos);
  std::string counts = RenderInstanceCounts({{InstanceStatus::kRunning, 3}});
  EXPECT_NE(counts.find("steadfast_instances{status=\"running\"} 3"), std::string::npos);
  EXPECT_NE(counts.find("steadfast_instances{status=\"cancelled\"} 0"), std::string::npos);
}

TEST(HttpConfigTest, SizesAndAddresses) {
  EXPECT_EQ(*ParseByteSize("1MiB"), 1 << 20);
  EXPECT_EQ(*ParseByteSize("64KiB"), 64 * 1024);
  EXPECT_EQ(*ParseByteSize("2MB"), 2'000'000);
  EXPECT_EQ(*ParseByteSize("512"), 512);
  EXPECT_FALSE(ParseByteSize("1GiB").ok());
  EXPECT_FALSE(ParseByteSize("MiB").ok());
  auto hp = SplitHostPort("127.0.0.1:8080");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->first, "127.0.0.1");
  EXPECT_EQ(hp->second, 8080);
  EXPECT_EQ(SplitHostPort("[::1]:0")->first, "::1");
  EXPECT_FALSE(SplitHostPort("127.0.0.1").ok());
  EXPECT_FALSE(SplitHostPort("127.0.0.1:99999").ok());
  EXPECT_FALSE(SplitHostPort(":80").ok());
}

TEST(HttpConfigTest, LoadsTheHttpSectionAndTokensFile) {
  testing::TempDir dir;
  std::string hash(64, 'a');
  testing::WriteFile(dir.File("tokens.yaml"),
                     "- { name: bob, sha256: " + std::string(64, 'b') + ", roles: [reviewer] }\n");
  testing::WriteFile(dir.File("steadfast.yaml"),
                     "database: x.db\n"
                     "http:\n"
                     "  listen: 127.0.0.1:0\n"
                     "  max_body: 64KiB\n"
                     "  request_timeout: 5s\n"
                     "  handshake_timeout: 2s\n"
                     "  max_connections: 64\n"
                     "  max_connections_per_address: 16\n"
                     "  threads: 3\n"
                     "  rate_limit: { per_principal_per_s: 2.5, burst: 7 }\n"
                     "  tokens:\n"
                     "    - { name: alice, sha256: " +
                         hash +
                         ", roles: [operator, admin] }\n"
                         "  tokens_file: tokens.yaml\n"
                         "  tls: { cert: c.pem, key: k.pem }\n");
  auto cfg = LoadEngineConfig(dir.File("steadfast.yaml"));
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  const HttpConfig& h = cfg->http;
  EXPECT_EQ(h.listen, "127.0.0.1:0");
  EXPECT_EQ(h.max_body_bytes, 64 * 1024);
  EXPECT_EQ(h.request_timeout_ms, 5000);
  EXPECT_EQ(h.handshake_timeout_ms, 2000);
  EXPECT_EQ(h.max_connections, 64);
  EXPECT_EQ(h.max_connections_per_address, 16);
  EXPECT_EQ(h.threads, 3);
  EXPECT_DOUBLE_EQ(h.rate_per_s, 2.5);
  EXPECT_EQ(h.rate_burst, 7);
  ASSERT_EQ(h.tokens.size(), 2u);
  EXPECT_EQ(h.tokens[0].name, "alice");
  EXPECT_EQ(h.tokens[0].roles, (std::vector<std::string>{"operator", "admin"}));
  EXPECT_EQ(h.tokens[1].name, "bob");
  EXPECT_EQ(h.tls_cert, dir.File("c.pem"));
  EXPECT_EQ(h.tls_key, dir.File("k.pem"));
}

TEST(HttpConfigTest, DefaultsWithoutSection) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("steadfast.yaml"), "database: x.db\n");
  auto cfg = LoadEngineConfig(dir.File("steadfast.yaml"));
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->http.listen, "");
  EXPECT_EQ(cfg->http.max_body_bytes, 1 << 20);
  EXPECT_EQ(cfg->http.request_timeout_ms, 30000);
  EXPECT_EQ(cfg->http.handshake_timeout_ms, 10000);
  EXPECT_EQ(cfg->http.max_connections, 1024);
  EXPECT_EQ(cfg->http.max_connections_per_address, 256);
}

// plugin_config becomes a Value too: the same depth limit as any other.
TEST(EngineConfigTest, PluginConfigNestedTooDeepIsRefused) {
  testing::TempDir dir;
  auto load = [&](int depth) {
    testing::WriteFile(dir.File("c.yaml"), "database: x.db\nplugin_config: { refund: " + std::string(depth, '[') +
                                               std::string(depth, ']') + " }\n");
    return LoadEngineConfig(dir.File("c.yaml"));
  };
  EXPECT_TRUE(load(kMaxValueDepth - 1).ok());  // the map around it is one level
  auto deep = load(kMaxValueDepth);
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("c.yaml:2:"), std::string::npos) << deep.status().message();
  EXPECT_NE(deep.status().message().find("limit of " + std::to_string(kMaxValueDepth)), std::string::npos);
}

TEST(EngineConfigTest, ShardsAreOneToSixteenAndAbsentMeansAsTheDatabaseIs) {
  testing::TempDir dir;
  auto load = [&](const std::string& extra) {
    testing::WriteFile(dir.File("c.yaml"), "database: x.db\n" + extra);
    return LoadEngineConfig(dir.File("c.yaml"));
  };
  auto absent = load("");
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(absent->shards, 0);
  auto four = load("shards: 4\n");
  ASSERT_TRUE(four.ok());
  EXPECT_EQ(four->shards, 4);
  for (const char* bad : {"shards: 0\n", "shards: 17\n", "shards: two\n"}) {
    auto refused = load(bad);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("c.yaml:2:"), std::string::npos) << refused.status().message();
  }
}

TEST(EngineConfigTest, ActivityLimitsWithFairTurnsAndThePriorityStep) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("c.yaml"),
                     "database: x.db\n"
                     "priority_step: 30s\n"
                     "activity_limits:\n"
                     "  refund.psp_refund: { max_in_flight: 20, per_second: 50, burst: 5, fair_by: merchant_id }\n");
  auto cfg = LoadEngineConfig(dir.File("c.yaml"));
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->priority_step_ms, 30000);
  ASSERT_EQ(cfg->activity_limits.size(), 1u);
  EXPECT_EQ(cfg->activity_limits[0].fair_by, "merchant_id");
  EXPECT_EQ(cfg->activity_limits[0].max_in_flight, 20);

  testing::WriteFile(dir.File("d.yaml"), "database: x.db\n");
  auto defaults = LoadEngineConfig(dir.File("d.yaml"));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->priority_step_ms, 60000);
}

TEST(EngineConfigTest, PostgresSettingsWithGroupCommit) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("c.yaml"),
                     "database: postgres://app@db1/steadfast\n"
                     "postgres: { pool_size: 12, statement_timeout: 30s, max_batch: 128, pipelines: 3 }\n");
  auto cfg = LoadEngineConfig(dir.File("c.yaml"));
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->postgres_pool_size, 12);
  EXPECT_EQ(cfg->postgres_statement_timeout_ms, 30000);
  EXPECT_EQ(cfg->postgres_max_batch, 128);
  EXPECT_EQ(cfg->postgres_pipelines, 3);

  testing::WriteFile(dir.File("d.yaml"), "database: postgres://app@db1/steadfast\n");
  auto defaults = LoadEngineConfig(dir.File("d.yaml"));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->postgres_max_batch, 64);
  EXPECT_EQ(defaults->postgres_pipelines, 2);

  testing::WriteFile(dir.File("e.yaml"), "database: postgres://app@db1/steadfast\npostgres:\n  pipelines: 0\n");
  auto bad = LoadEngineConfig(dir.File("e.yaml"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("e.yaml:3:"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("postgres.pipelines must be 1..64"), std::string::npos);
}

TEST(EngineConfigTest, FairByMustNameASearchKey) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("c.yaml"),
                     "database: x.db\n"
                     "activity_limits:\n"
                     "  refund.psp_refund: { max_in_flight: 20, fair_by: \"input.merchant\" }\n");
  auto cfg = LoadEngineConfig(dir.File("c.yaml"));
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("c.yaml:3:"), std::string::npos) << cfg.status().message();
  EXPECT_NE(cfg.status().message().find("fair_by must name a search key"), std::string::npos);

  testing::WriteFile(dir.File("p.yaml"), "database: x.db\npriority_step: 0s\n");
  auto step = LoadEngineConfig(dir.File("p.yaml"));
  ASSERT_FALSE(step.ok());
  EXPECT_NE(step.status().message().find("p.yaml:2:"), std::string::npos) << step.status().message();
}

// An alias inside its own anchor is endless: refused when read, not followed.
TEST(EngineConfigTest, SelfReferentialAliasIsRefused) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("c.yaml"), "database: x.db\nplugin_config: { refund: &loop [1, *loop] }\n");
  auto cfg = LoadEngineConfig(dir.File("c.yaml"));
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("c.yaml:2:"), std::string::npos) << cfg.status().message();
  EXPECT_NE(cfg.status().message().find("nested too deeply"), std::string::npos) << cfg.status().message();
}

// A setting of the wrong kind says where and what it got.
TEST(EngineConfigTest, WrongKindOfValueIsReportedAtItsPosition) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("c.yaml"), "database: x.db\nworkers: [4]\n");
  auto cfg = LoadEngineConfig(dir.File("c.yaml"));
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(), dir.File("c.yaml") + ":2:10: expected a whole number (got a list)");
}

TEST(HttpConfigTest, ErrorsPointAtTheLineAndNeverEchoTheSecret) {
  testing::TempDir dir;
  auto load = [&](const std::string& http) {
    testing::WriteFile(dir.File("c.yaml"), "database: x.db\nhttp:\n" + http);
    return LoadEngineConfig(dir.File("c.yaml"));
  };
  auto plain = load("  tokens:\n    - { name: a, sha256: my-plaintext-token, roles: [admin] }\n");
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.status().message().find("c.yaml:4:"), std::string::npos) << plain.status().message();
  EXPECT_EQ(plain.status().message().find("my-plaintext-token"), std::string::npos);
  EXPECT_FALSE(load("  tokens:\n    - { name: a, sha256: " + std::string(64, 'a') + ", roles: [root] }\n").ok());
  EXPECT_FALSE(load("  listen: nowhere\n").ok());
  EXPECT_FALSE(load("  max_body: lots\n").ok());
  EXPECT_FALSE(load("  handshake_timeout: 0s\n").ok());
  EXPECT_FALSE(load("  max_connections_per_address: -1\n").ok());
  EXPECT_FALSE(load("  max_connections: 0\n").ok());
  EXPECT_FALSE(load("  rate_limit: { per_second: 3 }\n").ok());
  EXPECT_FALSE(load("  tls: { cert: only.pem }\n").ok());
  EXPECT_FALSE(load("  tokens_file: missing.yaml\n").ok());
  EXPECT_FALSE(load("  colour: blue\n").ok());
}

TEST(HttpConfigTest, TokensFromText) {
  auto t = ParseHttpTokens("[{name: ci, sha256: " + std::string(64, 'c') + ", roles: [operator]}]", "ENV");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->size(), 1u);
  EXPECT_EQ((*t)[0].name, "ci");
  auto bad = ParseHttpTokens("[{name: ci}]", "ENV");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("ENV:", 0), 0u);
}

}  // namespace
}  // namespace steadfast::http
