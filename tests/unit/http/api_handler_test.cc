// The ApiHandler pipeline without sockets: routing, 401/403/404/405/409/
// 413/415/429, bodies and fields, four-eyes, idempotent start, pagination,
// over a real SQLite store and WorkflowService (no engine threads: steps
// that need a worker simply stay scheduled).
#include "http/api_handler.h"

#include <gtest/gtest.h>

#include <set>
#include <chrono>
#include <thread>

#include <yaml-cpp/yaml.h>

#include "builtin/std_activities.h"
#include "http/openapi_spec.h"
#include "core/random.h"
#include "runtime/plugin_route_registry.h"
#include "runtime/workflow_catalog.h"
#include "store/sqlite/sqlite_store.h"
#include "subprocess.h"

namespace steadfast::http {
namespace {

constexpr const char* kDualYaml = R"(name: dual
version: 1
input: { amount: int }
steps:
  - id: review
    approval:
      when: "${input.amount > 100}"
      required_approvals: 2
  - id: after
    activity: std.noop
)";

// A search key from the input (docs/workflows.md, "Search keys").
constexpr const char* kKeyedYaml = R"(name: keyed
version: 1
input: { ref: string }
search: { ref: "${input.ref}" }
steps:
  - id: received
    signal: go
)";

class ApiHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override { Build(RateLimit{0, 1}); }

  void Build(RateLimit limit) {
    handler_.reset();
    bulk_runner_.reset();
    bulk_ops_.reset();
    service_.reset();
    catalog_.reset();
    store_.reset();
    SqliteStoreOptions so;
    so.path = dir_.File("api-" + std::to_string(++opened_) + ".db");
    auto store = OpenSqliteStore(so);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    registry_ = std::make_unique<ActivityRegistry>();
    ASSERT_TRUE(RegisterStdActivities(*registry_).ok());
    catalog_ = std::make_unique<WorkflowCatalog>(registry_.get());
    for (const char* name : {"held.yaml", "wait.yaml"}) {
      ASSERT_TRUE(catalog_->AddFile(std::string(STEADFAST_HTTP_TEST_WORKFLOWS) + "/" + name).ok()) << name;
    }
    ASSERT_TRUE(catalog_->AddSource(kDualYaml, "dual.yaml").ok());
    ASSERT_TRUE(catalog_->AddSource(kKeyedYaml, "keyed.yaml").ok());
    service_ = std::make_unique<WorkflowService>(*store_, *catalog_, clock_, random_);
    bulk_ops_ = std::make_unique<BulkOperations>(*service_, clock_, random_);
    bulk_runner_ = std::make_unique<BulkRunner>(*bulk_ops_, *store_, NullLogger::Instance());
    ASSERT_TRUE(bulk_runner_->Start().ok());
    auto tokens = TokenStore::Create({
        {"ops", Sha256Hex("t-ops"), {"operator"}},
        {"rita", Sha256Hex("t-rita"), {"reviewer"}},
        {"rob", Sha256Hex("t-rob"), {"reviewer"}},
        {"root", Sha256Hex("t-root"), {"admin"}},
    });
    ASSERT_TRUE(tokens.ok());
    ApiHandlerOptions options;
    options.max_body_bytes = 1024;
    options.rate_limit = limit;
    options.bulk_runner = bulk_runner_.get();
    options.plugin_routes = &plugin_routes_;
    handler_ =
        std::make_unique<ApiHandler>(options, *service_, std::move(tokens).value(), clock_, NullLogger::Instance());
  }

  static HttpRequest Req(std::string method, std::string path, std::string token = "", std::string body = "") {
    HttpRequest r;
    r.method = std::move(method);
    size_t q = path.find('?');
    r.path = path.substr(0, q);
    r.segments = SplitPath(r.path);
    if (q != std::string::npos) {
      std::string query = path.substr(q + 1);
      size_t start = 0;
      while (start <= query.size()) {
        size_t amp = query.find('&', start);
        std::string part = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
        size_t eq = part.find('=');
        r.query.emplace_back(part.substr(0, eq), eq == std::string::npos ? "" : part.substr(eq + 1));
        if (amp == std::string::npos) break;
        start = amp + 1;
      }
    }
    if (!token.empty()) {
      r.has_authorization = true;
      r.bearer_token = token;
    }
    if (!body.empty()) {
      r.has_content_type = true;
      r.media_type = "application/json";
    }
    r.body = std::move(body);
    return r;
  }

  struct Answer {
    int status;
    Value json;
    HttpResponse raw;
  };
  Answer Call(const HttpRequest& r) {
    HttpResponse resp = handler_->Handle(r);
    Answer a{resp.status, Value(), resp};
    if (resp.content_type == "application/json") {
      auto v = Value::FromJson(resp.body);
      EXPECT_TRUE(v.ok()) << resp.body;
      if (v.ok()) a.json = *v;
    }
    return a;
  }
  static std::string Code(const Answer& a) { return a.json.Get("error").Get("code").StringOr(""); }
  static std::string Header(const Answer& a, const std::string& name) {
    for (const auto& [k, v] : a.raw.headers) {
      if (k == name) return v;
    }
    return "";
  }

  std::string StartHeld(int amount, const std::string& id, const std::string& token = "t-ops") {
    Answer a = Call(
        Req("POST", "/v1/workflows", token,
            R"({"workflow": "held", "id": ")" + id + R"(", "input": {"amount": )" + std::to_string(amount) + "}}"));
    EXPECT_EQ(a.status, 201) << a.raw.body;
    return id;
  }

  testing::TempDir dir_;
  int opened_ = 0;
  ManualClock clock_;
  SystemRandom random_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ActivityRegistry> registry_;
  std::unique_ptr<WorkflowCatalog> catalog_;
  std::unique_ptr<WorkflowService> service_;
  std::unique_ptr<BulkOperations> bulk_ops_;
  std::unique_ptr<BulkRunner> bulk_runner_;
  PluginRouteRegistry plugin_routes_;  // none unless a test adds some and builds again
  std::unique_ptr<ApiHandler> handler_;
};

TEST_F(ApiHandlerTest, PublicRoutesNeedNoToken) {
  EXPECT_EQ(Call(Req("GET", "/healthz")).status, 200);
  Answer ready = Call(Req("GET", "/readyz"));
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.json.Get("status").StringOr(""), "ready");
  HttpResponse spec = handler_->Handle(Req("GET", "/v1/openapi.yaml"));
  EXPECT_EQ(spec.status, 200);
  EXPECT_EQ(spec.content_type, "application/yaml");
  EXPECT_EQ(spec.body.rfind("openapi: 3.0", 0), 0u);
  HttpResponse metrics = handler_->Handle(Req("GET", "/metrics"));
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("steadfast_instances{status=\"running\"}"), std::string::npos);
  EXPECT_NE(metrics.body.find("route=\"/healthz\",method=\"GET\",status=\"200\""), std::string::npos);
}

// Every route the server answers is in docs/openapi.yaml, and every
// operation there is a route (the document's validity: tests/openapi).
TEST_F(ApiHandlerTest, OpenApiDocumentsEveryRoute) {
  YAML::Node spec = YAML::Load(std::string(OpenApiSpec()));
  EXPECT_EQ(spec["openapi"].as<std::string>().rfind("3.0", 0), 0u);
  std::set<std::pair<std::string, std::string>> routes;  // (lower-case method, path template)
  for (const auto& [method, pattern] : handler_->Routes()) {
    std::string m = method;
    for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    routes.insert({m, std::string(pattern)});
    EXPECT_TRUE(spec["paths"][pattern] && spec["paths"][pattern][m])
        << method << " " << pattern << " is served but not in docs/openapi.yaml";
  }
  for (const auto& path : spec["paths"]) {
    for (const auto& op : path.second) {
      std::string m = op.first.as<std::string>();
      if (m == "parameters" || m == "summary" || m == "description" || m.rfind("x-", 0) == 0) continue;
      // The built-in refund plugin's routes: served when the plugin is loaded
      // (tests/integration/refund/plugin_routes_test.cc checks them there).
      if (path.first.as<std::string>().rfind("/v1/plugins/", 0) == 0) continue;
      EXPECT_TRUE(routes.count({m, path.first.as<std::string>()}))
          << m << " " << path.first.as<std::string>() << " is in docs/openapi.yaml but the server has no such route";
    }
  }
}

TEST_F(ApiHandlerTest, DrainingTurnsReadinessOff) {
  handler_->SetDraining(true);
  Answer a = Call(Req("GET", "/readyz"));
  EXPECT_EQ(a.status, 503);
  EXPECT_EQ(Code(a), "not_ready");
  EXPECT_EQ(Call(Req("GET", "/healthz")).status, 200);
}

TEST_F(ApiHandlerTest, UnknownRoutesAndMethods) {
  Answer nf = Call(Req("GET", "/v2/nothing", "t-ops"));
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(Code(nf), "not_found");
  Answer m = Call(Req("DELETE", "/v1/workflows/x", "t-ops"));
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(Code(m), "method_not_allowed");
  EXPECT_EQ(Header(m, "Allow"), "GET");
  EXPECT_EQ(Header(Call(Req("PUT", "/v1/workflows")), "Allow"), "POST, GET");
}

// The front end marks a message HTTP/1.1 forbids but http_parser lets
// through (a header name with a space); it is refused before anything else,
// public routes included, and nothing is started.
TEST_F(ApiHandlerTest, MalformedMessagesAre400BeforeRouting) {
  for (const char* path : {"/healthz", "/v1/workflows"}) {
    HttpRequest r = Req("POST", path, "t-ops", R"({"workflow": "held", "input": {"amount": 5}})");
    r.malformed = "a header name may contain only token characters (no spaces)";
    Answer a = Call(r);
    EXPECT_EQ(a.status, 400) << path;
    EXPECT_EQ(Code(a), "malformed_request") << path;
  }
  Answer list = Call(Req("GET", "/v1/workflows", "t-ops"));
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(list.json.Get("items").AsList().size(), 0u);
}

TEST_F(ApiHandlerTest, AuthenticationAndRoles) {
  Answer none = Call(Req("GET", "/v1/workflows"));
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(Code(none), "unauthenticated");
  EXPECT_EQ(Header(none, "WWW-Authenticate"), "Bearer realm=\"steadfast\"");
  HttpRequest basic = Req("GET", "/v1/workflows");
  basic.has_authorization = true;  // e.g. Basic: present, but no bearer token
  EXPECT_EQ(Call(basic).status, 401);
  Answer bad = Call(Req("GET", "/v1/workflows", "t-wrong"));
  EXPECT_EQ(bad.status, 401);
  EXPECT_NE(Header(bad, "WWW-Authenticate").find("invalid_token"), std::string::npos);
  EXPECT_EQ(bad.raw.body.find("t-wrong"), std::string::npos);

  Answer reviewer_start =
      Call(Req("POST", "/v1/workflows", "t-rita", R"({"workflow": "held", "input": {"amount": 1}})"));
  EXPECT_EQ(reviewer_start.status, 403);
  EXPECT_EQ(Code(reviewer_start), "forbidden");
  std::string id = StartHeld(500, "wf-roles");
  Answer op_decide =
      Call(Req("POST", "/v1/workflows/" + id + "/approvals/review", "t-ops", R"({"decision": "approve"})"));
  EXPECT_EQ(op_decide.status, 403);
  EXPECT_EQ(Code(op_decide), "forbidden");
  EXPECT_EQ(Call(Req("POST", "/v1/workflows/" + id + "/cancel", "t-rita")).status, 403);
  EXPECT_EQ(Call(Req("GET", "/v1/workflows/" + id, "t-rita")).status, 200);
  EXPECT_EQ(Call(Req("GET", "/v1/workflows/" + id, "t-ops")).status, 200);
}

// The page asks which actions to offer; the answer follows roles.h.
TEST_F(ApiHandlerTest, SessionSaysWhoTheTokenIsAndWhatItMayDo) {
  auto may = [](const Answer& a) {
    std::set<std::string> out;
    for (const Value& v : a.json.Get("may").AsList()) out.insert(v.StringOr(""));
    return out;
  };
  Answer ops = Call(Req("GET", "/v1/session", "t-ops"));
  ASSERT_EQ(ops.status, 200) << ops.raw.body;
  EXPECT_EQ(ops.json.Get("principal").StringOr(""), "ops");
  ASSERT_EQ(ops.json.Get("roles").AsList().size(), 1u);
  EXPECT_EQ(ops.json.Get("roles").AsList()[0].StringOr(""), "operator");
  EXPECT_EQ(may(ops), (std::set<std::string>{"start", "inspect", "signal", "cancel", "pause", "resume", "retry",
                                             "bulk", "hold_activities", "operate_schedules", "deploy"}));
  Answer rita = Call(Req("GET", "/v1/session", "t-rita"));
  ASSERT_EQ(rita.status, 200);
  EXPECT_EQ(may(rita), (std::set<std::string>{"inspect", "decide"}));
  Answer root = Call(Req("GET", "/v1/session", "t-root"));
  EXPECT_EQ(may(root).size(), 14u);  // plugin_admin too
  EXPECT_TRUE(may(root).count("start_on_behalf"));
  EXPECT_EQ(Call(Req("GET", "/v1/session")).status, 401);
  EXPECT_EQ(Call(Req("GET", "/v1/session", "t-wrong")).status, 401);
}

TEST_F(ApiHandlerTest, StartCreatesThenReplaysThenConflicts) {
  HttpRequest r = Req("POST", "/v1/workflows", "t-ops", R"({"workflow": "held", "input": {"amount": 5}})");
  r.idempotency_key = "order-1";
  r.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  Answer first = Call(r);
  ASSERT_EQ(first.status, 201) << first.raw.body;
  std::string id = first.json.Get("id").StringOr("");
  EXPECT_EQ(Header(first, "Location"), "/v1/workflows/" + id);
  EXPECT_EQ(first.json.Get("requested_by").StringOr(""), "ops");
  EXPECT_EQ(first.json.Get("traceparent").StringOr(""), r.traceparent);
  EXPECT_EQ(first.json.Get("idempotency_key").StringOr(""), "order-1");
  Answer again = Call(r);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.json.Get("id").StringOr(""), id);
  r.body = R"({"workflow": "held", "input": {"amount": 6}})";
  Answer conflict = Call(r);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(Code(conflict), "idempotency_conflict");
}

TEST_F(ApiHandlerTest, StartTakesAPriority) {
  Answer urgent =
      Call(Req("POST", "/v1/workflows", "t-ops", R"({"workflow": "held", "input": {"amount": 5}, "priority": 1})"));
  ASSERT_EQ(urgent.status, 201) << urgent.raw.body;
  EXPECT_EQ(urgent.json.Get("priority"), Value(1));
  Answer plain = Call(Req("POST", "/v1/workflows", "t-ops", R"({"workflow": "held", "input": {"amount": 5}})"));
  ASSERT_EQ(plain.status, 201);
  EXPECT_EQ(plain.json.Get("priority"), Value(kDefaultPriority));
  for (const char* bad : {"0", "6", "\"high\"", "2.5"}) {
    Answer refused = Call(Req("POST", "/v1/workflows", "t-ops",
                              std::string(R"({"workflow": "held", "input": {"amount": 5}, "priority": )") + bad + "}"));
    EXPECT_EQ(refused.status, 400) << bad;
    EXPECT_EQ(Code(refused), "invalid_field") << bad;
    EXPECT_NE(refused.json.Get("error").Get("message").StringOr("").find("'priority'"), std::string::npos) << bad;
  }
}

TEST_F(ApiHandlerTest, StartByIdReplays) {
  StartHeld(5, "wf-same");
  Answer again =
      Call(Req("POST", "/v1/workflows", "t-ops", R"({"workflow": "held", "id": "wf-same", "input": {"amount": 5}})"));
  EXPECT_EQ(again.status, 200);
  Answer other =
      Call(Req("POST", "/v1/workflows", "t-ops", R"({"workflow": "held", "id": "wf-same", "input": {"amount": 9}})"));
  EXPECT_EQ(other.status, 409);
}

TEST_F(ApiHandlerTest, InvalidTraceparentStartsANewTrace) {
  HttpRequest r = Req("POST", "/v1/workflows", "t-ops", R"({"workflow": "held", "input": {"amount": 5}})");
  r.traceparent = "nonsense";
  Answer a = Call(r);
  ASSERT_EQ(a.status, 201);
  const std::string tp = a.json.Get("traceparent").StringOr("");
  ASSERT_EQ(tp.size(), 55u) << a.json.ToJson();
  EXPECT_EQ(tp.substr(3, 32), a.json.Get("trace_id").StringOr(""));
}

TEST_F(ApiHandlerTest, ValidTraceparentIsContinued) {
  HttpRequest r = Req("POST", "/v1/workflows", "t-ops", R"({"workflow": "held", "input": {"amount": 5}})");
  r.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  Answer a = Call(r);
  ASSERT_EQ(a.status, 201);
  EXPECT_EQ(a.json.Get("traceparent").StringOr(""), r.traceparent);
  EXPECT_EQ(a.json.Get("trace_id").StringOr(""), "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST_F(ApiHandlerTest, StartLinksToExistingInstancesOnly) {
  StartHeld(5, "wf-return");
  Answer linked = Call(Req("POST", "/v1/workflows", "t-ops",
                           R"({"workflow": "held", "id": "wf-refund", "input": {"amount": 5}, "links": ["wf-return"]})"));
  ASSERT_EQ(linked.status, 201) << linked.json.ToJson();
  ASSERT_TRUE(linked.json.Get("links").is_list());
  EXPECT_EQ(linked.json.Get("links").AsList().at(0), Value("wf-return"));
  Answer missing = Call(Req("POST", "/v1/workflows", "t-ops",
                            R"({"workflow": "held", "input": {"amount": 5}, "links": ["wf-nowhere"]})"));
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.json.ToJson().find("wf-nowhere"), std::string::npos) << missing.json.ToJson();
  Answer not_a_list = Call(Req("POST", "/v1/workflows", "t-ops",
                               R"({"workflow": "held", "input": {"amount": 5}, "links": "wf-return"})"));
  EXPECT_EQ(not_a_list.status, 400);
  EXPECT_EQ(Code(not_a_list), "invalid_field");
}

TEST_F(ApiHandlerTest, StartBodyErrors) {
  auto start = [&](const std::string& body) { return Call(Req("POST", "/v1/workflows", "t-ops", body)); };
  Answer malformed = start(R"({"workflow": "held",)");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(Code(malformed), "malformed_json");
  Answer wrong_type = start(R"({"workflow": 7})");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(Code(wrong_type), "invalid_field");
  EXPECT_NE(wrong_type.json.Get("error").Get("message").StringOr("").find("'workflow'"), std::string::npos);
  Answer version = start(R"({"workflow": "held", "version": "1"})");
  EXPECT_EQ(version.status, 400);
  EXPECT_NE(version.json.Get("error").Get("message").StringOr("").find("'version'"), std::string::npos);
  Answer input = start(R"({"workflow": "held", "input": [1]})");
  EXPECT_EQ(input.status, 400);
  EXPECT_NE(input.json.Get("error").Get("message").StringOr("").find("'input'"), std::string::npos);
  Answer input_field = start(R"({"workflow": "held", "input": {"amount": "lots"}})");
  EXPECT_EQ(input_field.status, 400);
  EXPECT_NE(input_field.json.Get("error").Get("message").StringOr("").find("'amount'"), std::string::npos);
  Answer unknown_field = start(R"({"workflow": "held", "inputs": {}})");
  EXPECT_EQ(unknown_field.status, 400);
  EXPECT_NE(unknown_field.json.Get("error").Get("message").StringOr("").find("'inputs'"), std::string::npos);
  Answer bad_id = start(R"({"workflow": "held", "id": "a b/c", "input": {"amount": 1}})");
  EXPECT_EQ(bad_id.status, 400);
  Answer unknown_workflow = start(R"({"workflow": "nope"})");
  EXPECT_EQ(unknown_workflow.status, 404);
  EXPECT_EQ(Code(unknown_workflow), "not_found");
  Answer not_object = start("[]");
  EXPECT_EQ(not_object.status, 400);
  HttpRequest empty = Req("POST", "/v1/workflows", "t-ops");
  EXPECT_EQ(Call(empty).status, 400);
  HttpRequest bad_key = Req("POST", "/v1/workflows", "t-ops", R"({"workflow": "held", "input": {"amount": 1}})");
  bad_key.idempotency_key = std::string(300, 'k');
  Answer key = Call(bad_key);
  EXPECT_EQ(key.status, 400);
  EXPECT_EQ(Code(key), "invalid_header");
}

TEST_F(ApiHandlerTest, BodyLimitsAndContentType) {
  std::string big = R"({"workflow": "held", "input": {"amount": 1, "pad": ")" + std::string(2000, 'x') + "\"}}";
  Answer too_big = Call(Req("POST", "/v1/workflows", "t-ops", big));
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(Code(too_big), "payload_too_large");
  HttpRequest text = Req("POST", "/v1/workflows", "t-ops", R"({"workflow": "held"})");
  text.media_type = "text/plain";
  Answer t = Call(text);
  EXPECT_EQ(t.status, 415);
  EXPECT_EQ(Code(t), "unsupported_media_type");
  HttpRequest none = Req("POST", "/v1/workflows", "t-ops", R"({"workflow": "held"})");
  none.has_content_type = false;
  none.media_type.clear();
  EXPECT_EQ(Call(none).status, 415);
  HttpRequest latin = Req("POST", "/v1/workflows", "t-ops", R"({"workflow": "held", "input": {"amount": 1}})");
  latin.charset = "iso-8859-1";
  EXPECT_EQ(Call(latin).status, 415);
  HttpRequest utf8 = Req("POST", "/v1/workflows", "t-ops", R"({"workflow": "held", "input": {"amount": 1}})");
  utf8.charset = "utf-8";
  EXPECT_EQ(Call(utf8).status, 201);
}

TEST_F(ApiHandlerTest, GetShowsWhatAnInstanceWaitsFor) {
  std::string id = StartHeld(500, "wf-get");
  Answer a = Call(Req("GET", "/v1/workflows/" + id, "t-rita"));
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.json.Get("status").StringOr(""), "waiting_approval");
  const Value& w = a.json.Get("waiting_for");
  EXPECT_EQ(w.Get("kind").StringOr(""), "approval");
  EXPECT_EQ(w.Get("step").StringOr(""), "review");
  EXPECT_EQ(w.Get("context").Get("amount").IntOr(0), 500);
  EXPECT_EQ(w.Get("required_approvals").IntOr(0), 1);
  Answer missing = Call(Req("GET", "/v1/workflows/wf-none", "t-rita"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Code(missing), "not_found");
  EXPECT_EQ(Call(Req("GET", "/v1/workflows/" + id + "?x=1", "t-rita")).status, 400);
}

TEST_F(ApiHandlerTest, ApprovalFourEyesAndSecondDecision) {
  // rita starts through an admin's hand: requested_by is set by root.
  Answer started =
      Call(Req("POST", "/v1/workflows", "t-root",
               R"({"workflow": "held", "id": "wf-4e", "input": {"amount": 500}, "requested_by": "rita"})"));
  ASSERT_EQ(started.status, 201) << started.raw.body;
  EXPECT_EQ(started.json.Get("requested_by").StringOr(""), "rita");
  EXPECT_EQ(started.json.Get("started_by").StringOr(""), "root");
  Answer own = Call(Req("POST", "/v1/workflows/wf-4e/approvals/review", "t-rita", R"({"decision": "approve"})"));
  EXPECT_EQ(own.status, 403);
  EXPECT_EQ(Code(own), "four_eyes");
  // Nor may the admin who started it on rita's behalf approve alone.
  Answer admin = Call(Req("POST", "/v1/workflows/wf-4e/approvals/review", "t-root", R"({"decision": "approve"})"));
  EXPECT_EQ(admin.status, 403);
  EXPECT_EQ(Code(admin), "four_eyes");
  Answer bad_decision = Call(Req("POST", "/v1/workflows/wf-4e/approvals/review", "t-rob", R"({"decision": "maybe"})"));
  EXPECT_EQ(bad_decision.status, 400);
  EXPECT_NE(bad_decision.json.Get("error").Get("message").StringOr("").find("'decision'"), std::string::npos);
  Answer ok = Call(
      Req("POST", "/v1/workflows/wf-4e/approvals/review", "t-rob", R"({"decision": "approve", "comment": "fine"})"));
  ASSERT_EQ(ok.status, 200) << ok.raw.body;
  EXPECT_EQ(ok.json.Get("status").StringOr(""), "running");
  Answer second = Call(Req("POST", "/v1/workflows/wf-4e/approvals/review", "t-root", R"({"decision": "reject"})"));
  EXPECT_EQ(second.status, 409);
  EXPECT_EQ(Code(second), "already_decided");
  const Value& first = second.json.Get("error").Get("decision");
  EXPECT_EQ(first.Get("decision").StringOr(""), "approve");
  EXPECT_EQ(first.Get("principal").StringOr(""), "rob");
  EXPECT_EQ(first.Get("comment").StringOr(""), "fine");
  Answer no_step = Call(Req("POST", "/v1/workflows/wf-4e/approvals/nope", "t-rob", R"({"decision": "approve"})"));
  EXPECT_EQ(no_step.status, 404);
}

TEST_F(ApiHandlerTest, TwoDistinctReviewersWhenTheStepAsksForThem) {
  Answer s =
      Call(Req("POST", "/v1/workflows", "t-ops", R"({"workflow": "dual", "id": "wf-dual", "input": {"amount": 900}})"));
  ASSERT_EQ(s.status, 201) << s.raw.body;
  EXPECT_EQ(s.json.Get("waiting_for").Get("required_approvals").IntOr(0), 2);
  const std::string path = "/v1/workflows/wf-dual/approvals/review";
  Answer first = Call(Req("POST", path, "t-rita", R"({"decision": "approve", "comment": "one"})"));
  ASSERT_EQ(first.status, 200) << first.raw.body;
  EXPECT_EQ(first.json.Get("status").StringOr(""), "waiting_approval");
  ASSERT_EQ(first.json.Get("waiting_for").Get("approvals").AsList().size(), 1u);
  EXPECT_EQ(first.json.Get("waiting_for").Get("approvals").AsList()[0].Get("principal").StringOr(""), "rita");
  Answer again = Call(Req("POST", path, "t-rita", R"({"decision": "approve"})"));
  EXPECT_EQ(again.status, 403);
  EXPECT_EQ(Code(again), "four_eyes");
  Answer second = Call(Req("POST", path, "t-rob", R"({"decision": "approve", "comment": "two"})"));
  ASSERT_EQ(second.status, 200) << second.raw.body;
  EXPECT_EQ(second.json.Get("status").StringOr(""), "running");
  Answer late = Call(Req("POST", path, "t-root", R"({"decision": "reject"})"));
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(late.json.Get("error").Get("decision").Get("approvals").AsList().size(), 2u);
}

TEST_F(ApiHandlerTest, OnlyAdminsSetRequestedBy) {
  Answer a = Call(Req("POST", "/v1/workflows", "t-ops",
                      R"({"workflow": "held", "input": {"amount": 5}, "requested_by": "someone"})"));
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(Code(a), "forbidden");
}

TEST_F(ApiHandlerTest, DecisionOnAStepThatDoesNotWait) {
  std::string id = StartHeld(5, "wf-small");  // under the threshold: no hold
  Answer a = Call(Req("POST", "/v1/workflows/" + id + "/approvals/review", "t-rob", R"({"decision": "approve"})"));
  EXPECT_EQ(a.status, 409);
}

TEST_F(ApiHandlerTest, SignalsAreIdempotentPerKey) {
  Answer s = Call(Req("POST", "/v1/workflows", "t-ops", R"({"workflow": "wait", "id": "wf-sig"})"));
  ASSERT_EQ(s.status, 201) << s.raw.body;
  EXPECT_EQ(s.json.Get("waiting_for").Get("signal").StringOr(""), "item_received");
  HttpRequest sig = Req("POST", "/v1/workflows/wf-sig/signals/item_received", "t-ops", R"({"box": 1})");
  sig.idempotency_key = "scan-1";
  Answer first = Call(sig);
  ASSERT_EQ(first.status, 200) << first.raw.body;
  EXPECT_EQ(first.json.Get("outcome").StringOr(""), "delivered");
  Answer again = Call(sig);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.json.Get("outcome").StringOr(""), "duplicate");
  sig.body = R"({"box": 2})";
  Answer conflict = Call(sig);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(Code(conflict), "idempotency_conflict");
  HttpRequest malformed = Req("POST", "/v1/workflows/wf-sig/signals/other", "t-ops", "{nope");
  EXPECT_EQ(Call(malformed).status, 400);
  EXPECT_EQ(Call(Req("POST", "/v1/workflows/wf-none/signals/x", "t-ops")).status, 404);
  // A bare payload (no body) is buffered for a later step.
  Answer buffered = Call(Req("POST", "/v1/workflows/wf-sig/signals/later", "t-ops"));
  EXPECT_EQ(buffered.status, 200);
  EXPECT_EQ(buffered.json.Get("outcome").StringOr(""), "buffered");
}

TEST_F(ApiHandlerTest, CancelAndResume) {
  std::string id = StartHeld(500, "wf-cancel");
  Answer bad = Call(Req("POST", "/v1/workflows/" + id + "/cancel", "t-ops", R"({"reason": 3})"));
  EXPECT_EQ(bad.status, 400);
  Answer c = Call(Req("POST", "/v1/workflows/" + id + "/cancel", "t-ops", R"({"reason": "duplicate"})"));
  ASSERT_EQ(c.status, 200) << c.raw.body;
  EXPECT_EQ(c.json.Get("status").StringOr(""), "cancelled");
  Answer twice = Call(Req("POST", "/v1/workflows/" + id + "/cancel", "t-ops"));
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(Code(twice), "invalid_state");
  Answer resume = Call(Req("POST", "/v1/workflows/" + id + "/resume", "t-ops"));
  EXPECT_EQ(resume.status, 409);
  EXPECT_EQ(Call(Req("POST", "/v1/workflows/wf-none/cancel", "t-ops")).status, 404);
}

TEST_F(ApiHandlerTest, ListFiltersAndPagesStablyUnderInserts) {
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(1);
    StartHeld(i % 2 == 0 ? 500 : 5, "wf-list-" + std::to_string(i));
  }
  Answer page1 = Call(Req("GET", "/v1/workflows?limit=2", "t-rita"));
  ASSERT_EQ(page1.status, 200) << page1.raw.body;
  ASSERT_EQ(page1.json.Get("items").AsList().size(), 2u);
  std::string cursor = page1.json.Get("next_cursor").StringOr("");
  EXPECT_EQ(cursor, "wf-list-1");
  // New instances land after every existing one: the next pages are unchanged.
  clock_.Advance(1);
  StartHeld(500, "wf-list-new");
  std::vector<std::string> seen;
  while (!cursor.empty()) {
    Answer p = Call(Req("GET", "/v1/workflows?limit=2&cursor=" + cursor, "t-rita"));
    ASSERT_EQ(p.status, 200);
    for (const Value& item : p.json.Get("items").AsList()) seen.push_back(item.Get("id").StringOr(""));
    cursor = p.json.Get("next_cursor").StringOr("");
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"wf-list-2", "wf-list-3", "wf-list-4", "wf-list-new"}));

  Answer waiting = Call(Req("GET", "/v1/workflows?waiting=approval&workflow=held", "t-rita"));
  ASSERT_EQ(waiting.status, 200);
  std::vector<std::string> held;
  for (const Value& item : waiting.json.Get("items").AsList()) {
    held.push_back(item.Get("id").StringOr(""));
    EXPECT_EQ(item.Get("waiting_for").Get("kind").StringOr(""), "approval");
  }
  EXPECT_EQ(held, (std::vector<std::string>{"wf-list-0", "wf-list-2", "wf-list-4", "wf-list-new"}));
  EXPECT_TRUE(waiting.json.Get("next_cursor").is_null());
  EXPECT_EQ(Call(Req("GET", "/v1/workflows?status=running", "t-rita")).json.Get("items").AsList().size(), 2u);

  EXPECT_EQ(Code(Call(Req("GET", "/v1/workflows?status=dozing", "t-rita"))), "invalid_query");
  EXPECT_EQ(Call(Req("GET", "/v1/workflows?waiting=lunch", "t-rita")).status, 400);
  EXPECT_EQ(Call(Req("GET", "/v1/workflows?status=running&waiting=approval", "t-rita")).status, 400);
  EXPECT_EQ(Call(Req("GET", "/v1/workflows?limit=0", "t-rita")).status, 400);
  EXPECT_EQ(Call(Req("GET", "/v1/workflows?limit=abc", "t-rita")).status, 400);
  EXPECT_EQ(Call(Req("GET", "/v1/workflows?cursor=wf-unknown", "t-rita")).status, 400);
  EXPECT_EQ(Call(Req("GET", "/v1/workflows?colour=red", "t-rita")).status, 400);
}

TEST_F(ApiHandlerTest, ListFiltersBySearchKeysAndEveryCriterion) {
  for (int i = 1; i <= 3; ++i) {
    clock_.Advance(1);
    Answer a = Call(Req("POST", "/v1/workflows", "t-ops",
                        R"({"workflow": "keyed", "id": "wf-k)" + std::to_string(i) + R"(", "input": {"ref": "R-)" +
                            std::to_string(i) + R"("}})"));
    ASSERT_EQ(a.status, 201) << a.raw.body;
  }
  StartHeld(500, "wf-k-held");
  Answer by_key = Call(Req("GET", "/v1/workflows?key.ref=R-2", "t-rita"));
  ASSERT_EQ(by_key.status, 200) << by_key.raw.body;
  ASSERT_EQ(by_key.json.Get("items").AsList().size(), 1u);
  EXPECT_EQ(by_key.json.Get("items").AsList()[0].Get("id").StringOr(""), "wf-k2");
  EXPECT_EQ(by_key.json.Get("items").AsList()[0].Get("search").Get("ref").StringOr(""), "R-2");
  auto count = [&](const std::string& query) {
    Answer a = Call(Req("GET", "/v1/workflows?" + query, "t-rita"));
    EXPECT_EQ(a.status, 200) << query << " " << a.raw.body;
    return a.status == 200 ? static_cast<int>(a.json.Get("items").AsList().size()) : -1;
  };
  EXPECT_EQ(count("key.ref=R-2&status=completed"), 0);
  EXPECT_EQ(count("key.ref=R-9"), 0);
  EXPECT_EQ(count("workflow=keyed&version=1&status=waiting_signal,completed"), 3);
  EXPECT_EQ(count("status=waiting_signal&status=waiting_approval"), 4);
  EXPECT_EQ(count("step=received"), 3);
  EXPECT_EQ(count("requested_by=ops&workflow=held"), 1);
  EXPECT_EQ(count("created_after=2000-01-01T00:00:00Z&created_before=2999-01-01T00:00:00Z"), 4);
  EXPECT_EQ(count("updated_before=2000-01-01T00:00:00Z"), 0);
  for (const char* bad : {"version=1", "created_after=yesterday", "status=paused,", "limit=1&limit=2",
                          "workflow=a&workflow=b", "key.=x"}) {
    Answer a = Call(Req("GET", std::string("/v1/workflows?") + bad, "t-rita"));
    EXPECT_EQ(a.status, 400) << bad;
    EXPECT_EQ(Code(a), "invalid_query") << bad;
  }
}

TEST_F(ApiHandlerTest, BulkOperationsDryRunActAndKeepAnAuditRecord) {
  StartHeld(500, "wf-b1");
  StartHeld(500, "wf-b2");
  StartHeld(5, "wf-b3");  // not held: running
  const std::string filter = R"("filter": {"workflow": "held", "status": "waiting_approval"})";
  Answer dry = Call(Req("POST", "/v1/bulk-operations", "t-ops",
                        R"({"action": "cancel", )" + filter + R"(, "reason": "event called off", "dry_run": true})"));
  ASSERT_EQ(dry.status, 200) << dry.raw.body;
  EXPECT_EQ(dry.json.Get("total").IntOr(-1), 2);
  EXPECT_EQ(dry.json.Get("sample").ToJson(), R"(["wf-b1","wf-b2"])");
  EXPECT_EQ(dry.json.Get("filter").Get("status").ToJson(), R"(["waiting_approval"])");
  EXPECT_EQ(Call(Req("GET", "/v1/workflows/wf-b1", "t-ops")).json.Get("status").StringOr(""), "waiting_approval");

  const std::string act = R"({"action": "cancel", )" + filter + R"(, "reason": "event called off"})";
  EXPECT_EQ(Call(Req("POST", "/v1/bulk-operations", "t-rita", act)).status, 403);
  for (const std::string& bad : {std::string(R"({"action": "reset", )") + filter + R"(, "reason": "r"})",
                                 std::string(R"({"action": "cancel", )") + filter + "}",
                                 std::string(R"({"action": "cancel", "filter": {}, "reason": "r"})"),
                                 std::string(R"({"action": "cancel", "filter": {"status": "asleep"}, "reason": "r"})"),
                                 std::string(R"({"action": "cancel", "filter": {"status": true}, "reason": "r"})"),
                                 std::string(R"({"action": "cancel", "filter": "all", "reason": "r"})"),
                                 std::string(R"({"action": "cancel", )") + filter + R"(, "reason": "r", "now": 1})"}) {
    Answer a = Call(Req("POST", "/v1/bulk-operations", "t-ops", bad));
    EXPECT_EQ(a.status, 400) << bad << " " << a.raw.body;
    EXPECT_EQ(Code(a), "invalid_field") << bad;
  }

  Answer created = Call(Req("POST", "/v1/bulk-operations", "t-ops", act));
  ASSERT_EQ(created.status, 202) << created.raw.body;
  const std::string id = created.json.Get("id").StringOr("");
  EXPECT_EQ(created.json.Get("total").IntOr(-1), 2);
  EXPECT_EQ(created.json.Get("requested_by").StringOr(""), "ops");
  Value op;
  for (int i = 0; i < 500; ++i) {
    op = Call(Req("GET", "/v1/bulk-operations/" + id, "t-rita")).json;
    if (op.Get("state").StringOr("") != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(op.Get("state").StringOr(""), "completed") << op.ToJson();
  EXPECT_EQ(op.Get("done").IntOr(-1), 2) << op.ToJson();
  EXPECT_EQ(op.Get("failed").IntOr(-1), 0);
  EXPECT_EQ(Call(Req("GET", "/v1/workflows/wf-b1", "t-ops")).json.Get("status").StringOr(""), "cancelled");
  EXPECT_EQ(Call(Req("GET", "/v1/workflows/wf-b3", "t-ops")).json.Get("status").StringOr(""), "running");

  Answer list = Call(Req("GET", "/v1/bulk-operations", "t-rita"));
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json.Get("items").AsList().size(), 1u);
  EXPECT_EQ(list.json.Get("items").AsList()[0].Get("reason").StringOr(""), "event called off");
  EXPECT_EQ(Call(Req("GET", "/v1/bulk-operations?state=running", "t-rita")).json.Get("items").AsList().size(), 0u);
  EXPECT_EQ(Call(Req("GET", "/v1/bulk-operations?state=asleep", "t-rita")).status, 400);
  EXPECT_EQ(Call(Req("GET", "/v1/bulk-operations/bulk-none", "t-rita")).status, 404);
}

TEST_F(ApiHandlerTest, HistoryPages) {
  std::string id = StartHeld(500, "wf-hist");
  ASSERT_EQ(
      Call(Req("POST", "/v1/workflows/" + id + "/approvals/review", "t-rob", R"({"decision": "approve"})")).status,
      200);
  Answer all = Call(Req("GET", "/v1/workflows/" + id + "/history", "t-rita"));
  ASSERT_EQ(all.status, 200);
  const Value::List& items = all.json.Get("items").AsList();
  ASSERT_GE(items.size(), 3u);
  EXPECT_TRUE(all.json.Get("next_after").is_null());
  EXPECT_EQ(items[0].Get("type").StringOr(""), "workflow_started");
  bool decided = false;
  for (const Value& e : items) {
    if (e.Get("type").StringOr("") == "approval_decided") {
      decided = true;
      EXPECT_EQ(e.Get("data").Get("principal").StringOr(""), "rob");
    }
  }
  EXPECT_TRUE(decided);
  std::vector<int64_t> seqs;
  int64_t after = 0;
  while (true) {
    Answer p = Call(Req("GET", "/v1/workflows/" + id + "/history?limit=1&after=" + std::to_string(after), "t-rita"));
    ASSERT_EQ(p.status, 200);
    for (const Value& e : p.json.Get("items").AsList()) seqs.push_back(e.Get("seq").IntOr(0));
    if (!p.json.Get("next_after").is_int()) break;
    after = p.json.Get("next_after").AsInt();
  }
  ASSERT_EQ(seqs.size(), items.size());
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], static_cast<int64_t>(i + 1));
  EXPECT_EQ(Call(Req("GET", "/v1/workflows/wf-none/history", "t-rita")).status, 404);
  EXPECT_EQ(Call(Req("GET", "/v1/workflows/" + id + "/history?after=-1", "t-rita")).status, 400);
  EXPECT_EQ(Call(Req("GET", "/v1/workflows/" + id + "/history?limit=5000", "t-rita")).status, 400);
}

TEST_F(ApiHandlerTest, RateLimitPerPrincipal) {
  Build(RateLimit{1, 2});
  EXPECT_EQ(Call(Req("GET", "/v1/workflows", "t-rita")).status, 200);
  EXPECT_EQ(Call(Req("GET", "/v1/workflows", "t-rita")).status, 200);
  Answer limited = Call(Req("GET", "/v1/workflows", "t-rita"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(Code(limited), "rate_limited");
  EXPECT_EQ(Header(limited, "Retry-After"), "1");
  EXPECT_EQ(Call(Req("GET", "/v1/workflows", "t-rob")).status, 200);  // another principal
  EXPECT_EQ(Call(Req("GET", "/healthz")).status, 200);                // public routes are not limited
  clock_.Advance(1000);
  EXPECT_EQ(Call(Req("GET", "/v1/workflows", "t-rita")).status, 200);
  HttpResponse metrics = handler_->Handle(Req("GET", "/metrics"));
  EXPECT_NE(metrics.body.find("steadfast_http_rate_limited_total 1"), std::string::npos);
}

TEST_F(ApiHandlerTest, ServesTheReviewerPageWithoutAToken) {
  Answer bare = Call(Req("GET", "/ui"));
  EXPECT_EQ(bare.status, 308);
  EXPECT_EQ(Header(bare, "Location"), "/ui/");

  Answer index = Call(Req("GET", "/ui/"));
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.raw.content_type, "text/html; charset=utf-8");
  EXPECT_NE(index.raw.body.find("<script src=\"/ui/app.js\" defer></script>"), std::string::npos);
  EXPECT_EQ(Header(index, "Cache-Control"), "no-cache");
  EXPECT_EQ(Header(index, "X-Content-Type-Options"), "nosniff");
  EXPECT_NE(Header(index, "Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(Call(Req("GET", "/ui/index.html")).raw.body, index.raw.body);

  Answer js = Call(Req("GET", "/ui/app.js"));
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.raw.content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(js.raw.body.find("sessionStorage"), std::string::npos);
  EXPECT_NE(index.raw.body.find("<script src=\"/ui/console.js\" defer></script>"), std::string::npos);
  Answer console_js = Call(Req("GET", "/ui/console.js"));
  EXPECT_EQ(console_js.status, 200);
  EXPECT_EQ(console_js.raw.content_type, "text/javascript; charset=utf-8");
  // The page never builds markup from strings.
  for (const Answer* script : {&js, &console_js}) {
    for (const char* sink : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("}) {
      EXPECT_EQ(script->raw.body.find(sink), std::string::npos) << sink;
    }
  }
  EXPECT_EQ(Call(Req("GET", "/ui/style.css")).raw.content_type, "text/css; charset=utf-8");

  // Only the embedded names exist: nothing reaches the file system.
  EXPECT_EQ(Call(Req("GET", "/ui/missing.js")).status, 404);
  HttpRequest traversal = Req("GET", "/ui/x");
  traversal.segments = {"ui", "../../etc/passwd"};  // what %2F-encoded slashes decode to
  Answer t = Call(traversal);
  EXPECT_EQ(t.status, 404);
  EXPECT_EQ(Code(t), "not_found");
  EXPECT_EQ(Call(Req("GET", "/ui/../README.md")).status, 404);
  Answer post = Call(Req("POST", "/ui/"));
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(Header(post, "Allow"), "GET");
}

TEST_F(ApiHandlerTest, GraphShowsTheStepsAndWhereTheInstanceIs) {
  StartHeld(500, "wf-graph");
  Answer anon = Call(Req("GET", "/v1/workflows/wf-graph/graph"));
  EXPECT_EQ(anon.status, 401);

  Answer held = Call(Req("GET", "/v1/workflows/wf-graph/graph", "t-rita"));  // reviewers may read it
  ASSERT_EQ(held.status, 200) << held.raw.body;
  EXPECT_EQ(held.json.Get("status").StringOr(""), "waiting_approval");
  EXPECT_EQ(held.json.Get("current_step").StringOr(""), "review");
  const Value& graph = held.json.Get("graph");
  EXPECT_EQ(graph.Get("workflow").StringOr(""), "held");
  ASSERT_TRUE(graph.Get("nodes").is_list());
  std::vector<std::string> ids;
  for (const Value& n : graph.Get("nodes").AsList()) ids.push_back(n.Get("id").StringOr(""));
  EXPECT_EQ(ids, (std::vector<std::string>{"(start)", "review", "after", "(end)", "(fail)"}));
  EXPECT_EQ(graph.Get("nodes").AsList()[1].Get("when").StringOr(""), "input.amount > 100");
  EXPECT_EQ(held.json.Get("steps").Get("review").Get("state").StringOr(""), "waiting");
  EXPECT_TRUE(held.json.Get("steps").Get("after").is_null());  // not reached

  Answer ok = Call(Req("POST", "/v1/workflows/wf-graph/approvals/review", "t-rob", R"({"decision": "approve"})"));
  ASSERT_EQ(ok.status, 200) << ok.raw.body;
  Answer after = Call(Req("GET", "/v1/workflows/wf-graph/graph", "t-ops"));
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.json.Get("steps").Get("review").Get("state").StringOr(""), "completed");
  EXPECT_EQ(after.json.Get("steps").Get("review").Get("detail").StringOr(""), "approved by rob");

  StartHeld(5, "wf-graph-small");  // under the threshold: the approval is not needed
  Answer small = Call(Req("GET", "/v1/workflows/wf-graph-small/graph", "t-rita"));
  EXPECT_EQ(small.json.Get("steps").Get("review").Get("state").StringOr(""), "skipped");

  EXPECT_EQ(Call(Req("GET", "/v1/workflows/nope/graph", "t-rita")).status, 404);
  Answer bad = Call(Req("GET", "/v1/workflows/wf-graph/graph?x=1", "t-rita"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Code(bad), "invalid_query");
}

}  // namespace
}  // namespace steadfast::http

namespace steadfast::http {
namespace {

// A plugin's routes go through the engine's pipeline: token, role, body
// checks, JSON errors, metrics; the handler gets params, query, body,
// principal and storage, and its error Status is mapped as the engine's.
TEST_F(ApiHandlerTest, PluginRoutesAreServedLikeTheEnginesOwn) {
  PluginRoutes* routes = plugin_routes_.ForPlugin("demo", nullptr);
  EXPECT_EQ(routes->prefix(), "/v1/plugins/demo");
  ASSERT_TRUE(routes
                  ->Add({"GET", "/things/{id}", RouteAccess::kRead, RouteBody::kNone, "a thing",
                         [](const RouteRequest& r) -> Result<RouteResponse> {
                           if (r.Param("id") == "none") return Status::NotFound("no thing 'none'");
                           if (r.Param("id") == "boom") return Status::Internal("secret /var/db path");
                           return RouteResponse::Json(Value::Map{{"id", r.Param("id")},
                                                                 {"q", r.Query("q").value_or("")},
                                                                 {"by", r.principal}});
                         }})
                  .ok());
  ASSERT_TRUE(routes
                  ->Add({"POST", "/things/{id}/pay", RouteAccess::kAdmin, RouteBody::kJson, "pay",
                         [](const RouteRequest& r) -> Result<RouteResponse> {
                           if (!r.body.Get("reason").is_string()) {
                             return RouteResponse::Error(400, "invalid_field", "reason is required");
                           }
                           return RouteResponse::Json(Value::Map{{"paid", r.Param("id")}}, 201);
                         }})
                  .ok());
  Build(RateLimit{0, 1});

  Answer got = Call(Req("GET", "/v1/plugins/demo/things/t1?q=x", "t-rita"));
  ASSERT_EQ(got.status, 200) << got.raw.body;
  EXPECT_EQ(got.json.Get("id"), Value("t1"));
  EXPECT_EQ(got.json.Get("q"), Value("x"));
  EXPECT_EQ(got.json.Get("by"), Value("rita"));
  EXPECT_EQ(Call(Req("GET", "/v1/plugins/demo/things/t1")).status, 401);
  Answer missing = Call(Req("GET", "/v1/plugins/demo/things/none", "t-ops"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Code(missing), "not_found");
  Answer boom = Call(Req("GET", "/v1/plugins/demo/things/boom", "t-ops"));
  EXPECT_EQ(boom.status, 500);
  EXPECT_EQ(boom.raw.body.find("secret"), std::string::npos) << "a server error's cause stays in the log";
  Answer nowhere = Call(Req("GET", "/v1/plugins/demo/nothing", "t-ops"));
  EXPECT_EQ(nowhere.status, 404);
  EXPECT_EQ(Code(nowhere), "not_found");

  for (const char* token : {"t-ops", "t-rita"}) {
    Answer refused = Call(Req("POST", "/v1/plugins/demo/things/t1/pay", token, R"({"reason": "r"})"));
    EXPECT_EQ(refused.status, 403) << token;
    EXPECT_EQ(Code(refused), "forbidden");
  }
  Answer malformed = Call(Req("POST", "/v1/plugins/demo/things/t1/pay", "t-root", R"({"reason":)"));
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(Code(malformed), "malformed_json");
  Answer no_reason = Call(Req("POST", "/v1/plugins/demo/things/t1/pay", "t-root", "{}"));
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_EQ(Code(no_reason), "invalid_field");
  Answer too_big = Call(Req("POST", "/v1/plugins/demo/things/t1/pay", "t-root", std::string(2000, ' ')));
  EXPECT_EQ(too_big.status, 413);
  Answer paid = Call(Req("POST", "/v1/plugins/demo/things/t1/pay", "t-root", R"({"reason": "r"})"));
  EXPECT_EQ(paid.status, 201) << paid.raw.body;
  EXPECT_EQ(paid.json.Get("paid"), Value("t1"));
  EXPECT_EQ(Call(Req("GET", "/v1/plugins/demo/things/t1/pay", "t-root")).status, 405);

  HttpResponse metrics = handler_->Handle(Req("GET", "/metrics"));
  EXPECT_NE(metrics.body.find("route=\"/v1/plugins/demo/things/{id}/pay\",method=\"POST\",status=\"201\""),
            std::string::npos);
}

TEST(PluginRouteRegistryTest, RefusesBadRoutes) {
  PluginRouteRegistry registry;
  PluginRoutes* routes = registry.ForPlugin("demo", nullptr);
  auto handler = [](const RouteRequest&) -> Result<RouteResponse> { return RouteResponse::Json(Value()); };
  EXPECT_TRUE(routes->Add({"GET", "/a/{id}", RouteAccess::kRead, RouteBody::kNone, "", handler}).ok());
  EXPECT_EQ(routes->Add({"GET", "/a/{id}", RouteAccess::kRead, RouteBody::kNone, "", handler}).code(),
            StatusCode::kAlreadyExists);
  EXPECT_TRUE(routes->Add({"POST", "/a/{id}", RouteAccess::kAdmin, RouteBody::kJson, "", handler}).ok());
  for (const char* path : {"", "a", "/", "/a//b", "/a/{}", "/a/{x", "/a/b c", "/a/../b"}) {
    EXPECT_EQ(routes->Add({"GET", path, RouteAccess::kRead, RouteBody::kNone, "", handler}).code(),
              StatusCode::kInvalidArgument)
        << path;
  }
  EXPECT_EQ(routes->Add({"DELETE", "/b", RouteAccess::kRead, RouteBody::kNone, "", handler}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(routes->Add({"GET", "/b", RouteAccess::kRead, RouteBody::kJson, "", handler}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(routes->Add({"GET", "/b", RouteAccess::kRead, RouteBody::kNone, "", nullptr}).code(),
            StatusCode::kInvalidArgument);
  ASSERT_EQ(registry.routes().size(), 2u);
  EXPECT_EQ(registry.routes()[0].pattern, "/v1/plugins/demo/a/{id}");
}

}  // namespace
}  // namespace steadfast::http
