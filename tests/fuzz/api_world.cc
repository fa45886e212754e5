// The store-backed fuzz targets' world: see api_world.h.
#include "api_world.h"

#include <unistd.h>

#include <cstdlib>

#include "builtin/std_activities.h"
#include "core/random.h"
#include "definition/content_hash.h"
#include "fuzz_check.h"
#include "refund/plugin.h"
#include "store/sqlite/sqlite_store.h"

namespace steadfast::fuzz {
namespace {

namespace fs = std::filesystem;

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

}  // namespace

ApiWorld& ApiWorld::Get() {
  static ApiWorld* world = new ApiWorld;  // never destroyed: atexit removes its files
  return *world;
}

ApiWorld::ApiWorld() {
  std::string dir = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + std::string("/steadfast-fuzz-db.XXXXXX");
  FUZZ_CHECK(mkdtemp(dir.data()) != nullptr);
  dir_ = dir;
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(Get().dir_, ec);
  });
  template_db_ = dir_ / "template.db";
  work_db_ = dir_ / "work.db";

  registry_ = std::make_unique<ActivityRegistry>();
  FUZZ_CHECK(RegisterStdActivities(*registry_).ok());
  FUZZ_CHECK(refund::RegisterUnconfiguredRefundActivities(*registry_, "not configured in the fuzzer").ok());
  catalog_ = std::make_unique<WorkflowCatalog>(registry_.get());
  for (const char* file : {"tests/data/workflows/http/held.yaml", "tests/data/workflows/http/wait.yaml",
                           "workflows/reservation_refund.yaml", "workflows/return_refund.yaml",
                           "workflows/marketplace_cancellation.yaml"}) {
    FUZZ_CHECK(catalog_->AddFile(std::string(STEADFAST_SOURCE_ROOT) + "/" + file).ok());
  }
  FUZZ_CHECK(catalog_->AddSource(kDualYaml, "dual.yaml").ok());

  std::unique_ptr<Store> store = Open(template_db_.string());
  SequenceRandom random({0.5});
  WorkflowService service(*store, *catalog_, clock_, random);
  std::unique_ptr<http::ApiHandler> handler = Handler(service);
  auto call = [&](const char* method, const std::string& path, const char* token, const std::string& body) {
    http::HttpRequest r;
    r.method = method;
    r.path = path;
    r.segments = http::SplitPath(path);
    r.has_authorization = true;
    r.bearer_token = token;
    r.has_content_type = true;
    r.media_type = "application/json";
    r.body = body;
    http::HttpResponse response = handler->Handle(r);
    if (response.status >= 300) std::fprintf(stderr, "%s %s: %d %s\n", method, path.c_str(), response.status,
                                             response.body.c_str());
    FUZZ_CHECK(response.status < 300);
  };
  auto start = [&](const std::string& workflow, const std::string& id, const std::string& input) {
    call("POST", "/v1/workflows", "t-ops", R"({"workflow": ")" + workflow + R"(", "id": ")" + id +
                                               R"(", "input": )" + input + "}");
  };
  start("held", "held-1", R"({"amount": 500})");
  start("dual", "dual-1", R"({"amount": 900})");
  call("POST", "/v1/workflows/dual-1/approvals/review", "t-rita", R"({"decision": "approve", "comment": "ok"})");
  start("wait", "wait-1", "{}");
  call("POST", "/v1/workflows/wait-1/signals/extra", "t-ops", R"({"warehouse": "BER-2", "condition": "ok"})");
  start("held", "low-1", R"({"amount": 5})");
  start("held", "done-1", R"({"amount": 700})");
  call("POST", "/v1/workflows/done-1/cancel", "t-ops", R"({"reason": "customer withdrew"})");
}

std::string ApiWorld::FreshCopy() {
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    std::error_code ec;
    fs::remove(work_db_.string() + suffix, ec);
  }
  fs::copy_file(template_db_, work_db_, fs::copy_options::overwrite_existing);
  return work_db_.string();
}

std::unique_ptr<Store> ApiWorld::Open(const std::string& path) {
  SqliteStoreOptions options;
  options.path = path;
  options.sync = SyncMode::kOff;
  options.clock = &clock_;
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(options);
  if (!store.ok()) std::fprintf(stderr, "open %s: %s\n", path.c_str(), store.status().ToString().c_str());
  FUZZ_CHECK(store.ok());
  return std::move(store).value();
}

std::unique_ptr<http::ApiHandler> ApiWorld::Handler(WorkflowService& service) {
  auto tokens = http::TokenStore::Create({
      {"ops", Sha256Hex("t-ops"), {"operator"}},
      {"rita", Sha256Hex("t-rita"), {"reviewer"}},
      {"rob", Sha256Hex("t-rob"), {"reviewer"}},
      {"root", Sha256Hex("t-root"), {"admin"}},
  });
  FUZZ_CHECK(tokens.ok());
  http::ApiHandlerOptions options;
  options.max_body_bytes = 64 * 1024;
  options.rate_limit = http::RateLimit{0, 1};  // no limit: every input reaches the handlers
  return std::make_unique<http::ApiHandler>(options, service, std::move(tokens).value(), clock_,
                                            NullLogger::Instance());
}

}  // namespace steadfast::fuzz
