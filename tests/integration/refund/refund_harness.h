// RefundHarness: the refund plugin end to end for a test, as an operator
// runs it: the real steadfast-sandbox (PSP, inventory, notifications) in a
// process of its own, a steadfast.yaml pointing the refund plugin at it and
// loading the repository's workflows/, and the real `steadfast` binary for
// run / serve / start / reconcile. Also reads what a finance team checks
// afterwards: the sandbox's records (GET /sandbox/stats) and the ledger.
//
// Header only: each test program defines STEADFAST_BIN (the steadfast
// binary) and STEADFAST_SOURCE_ROOT (the checkout) for it.
#ifndef STEADFAST_TESTS_INTEGRATION_REFUND_REFUND_HARNESS_H_
#define STEADFAST_TESTS_INTEGRATION_REFUND_REFUND_HARNESS_H_

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "net/curl_transport.h"
#include "raw_db.h"
#include "refund/psp/http_client.h"
#include "refund/psp/stripe_psp_adapter.h"
#include "refund/refund_store.h"
#include "refund_tables.h"
#include "sandbox_process.h"
#include "steadfast/clock.h"
#include "steadfast/history.h"
#include "store_reader.h"
#include "subprocess.h"

namespace steadfast::integration {

using refund::JsonHttpClient;
using testing::RunResult;
using testing::Subprocess;
using testing::TempDir;

inline const std::string kSource = STEADFAST_SOURCE_ROOT;

// (count of refunds, amount refunded) as RefundHarness::RefundsOf reports it.
inline std::pair<int64_t, int64_t> Refunded(int64_t count, int64_t amount) { return {count, amount}; }

inline Value LoadExample(const std::string& name) {
  auto v = Value::FromJson(testing::ReadFile(kSource + "/workflows/examples/" + name));
  EXPECT_TRUE(v.ok()) << name;
  return v.ok() ? *v : Value();
}

class RefundHarness {
 public:
  // config_extra: more top-level config lines (e.g. an `http:` section).
  explicit RefundHarness(std::vector<std::string> sandbox_args = {}, const std::string& config_extra = "") {
    Status s = sandbox_.Start(sandbox_args);
    EXPECT_TRUE(s.ok()) << s.ToString();
    config_ = dir_.File("steadfast.yaml");
    db_ = dir_.File("engine.db");
    reader_ = std::make_unique<testing_support::StoreReader>(db_);
    const std::string url = sandbox_.base_url();
    testing::WriteFile(config_, "database: " + db_ + "\nworkflows_dir: " + kSource +
                                    "/workflows\nworkers: 4\nnode_name: refundtest\nlease: 2s\n"
                                    "poll_interval: 50ms\nlog_level: info\n" +
                                    RefundPluginConfig(kSource, url, ", breaker_open: 1s") + config_extra);
    refund::JsonHttpClientOptions o;
    o.service = "sandbox";
    o.base_url = url;
    auto client = JsonHttpClient::Create(o, net::CurlTransport::Instance(), SystemClock::Instance());
    EXPECT_TRUE(client.ok());
    http_ = std::move(client).value();
  }

  std::map<std::string, std::string> Env() const {
    return {{"STEADFAST_PSP_SECRET_KEY", SandboxProcess::kSecretKey}};
  }

  // Control-plane calls are outside the fault scope, so they do not fail.
  void Seed(const std::string& charge, int64_t amount, const std::string& currency = "EUR") {
    Value body = Value::Map{{"id", charge}, {"amount", amount}, {"currency", currency}};
    auto r = http_->PostJson("/sandbox/charges", body, "seed-" + charge);
    ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().message;
  }
  // POSTs `body` to a sandbox control endpoint (/sandbox/settlement
  // {"payout_delay_ms": N}, /sandbox/settle {}); returns the answer.
  Value Control(const std::string& path, const Value& body) {
    auto r = http_->PostJson(path, body, "control");
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().code + " " + r.error().message);
    return r.ok() ? r->body : Value();
  }
  void SetFaults(const Value& faults) {
    auto r = http_->PostJson("/sandbox/faults", faults, "faults");
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  // A cardholder's bank disputes `amount` of a charge (the sandbox's
  // control endpoint); returns the dispute id. Closing it: "won" or "lost".
  std::string OpenDispute(const std::string& charge, int64_t amount) {
    Value body = Value::Map{{"charge", charge}, {"amount", amount}, {"reason", "fraudulent"}};
    auto r = http_->PostJson("/sandbox/disputes", body, "dispute-" + charge);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().code + " " + r.error().message);
    return r.ok() ? r->body.Get("id").StringOr("") : "";
  }
  void CloseDispute(const std::string& id, const std::string& status) {
    auto r = http_->PostJson("/sandbox/disputes/" + id, Value::Map{{"status", status}}, "close-" + id);
    ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().message;
  }
  Value Stats() {
    auto r = http_->GetJson("/sandbox/stats");
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->body : Value();
  }
  // (count of refunds, amount refunded) of a charge at the sandbox.
  std::pair<int64_t, int64_t> RefundsOf(const std::string& charge) {
    Value c = Stats().Get("refunds").Get("by_charge").Get(charge);
    return {c.Get("count").IntOr(0), c.Get("amount_refunded").IntOr(0)};
  }

  std::string WriteInput(const std::string& name, const Value& input) {
    std::string path = dir_.File(name + ".json");
    testing::WriteFile(path, input.ToJson());
    return path;
  }

  RunResult Cli(std::vector<std::string> args, int timeout_ms = 120000) {
    args.insert(args.begin(), STEADFAST_BIN);
    args.push_back("--config");
    args.push_back(config_);
    return testing::RunCommand(args, Env(), timeout_ms);
  }
  RunResult Run(const std::string& workflow, const std::string& input_path, const std::string& id) {
    return Cli({"run", kSource + "/workflows/" + workflow + ".yaml", "--input", "@" + input_path, "--id", id,
                "--requested-by", "tester"},
               300000);
  }
  std::unique_ptr<Subprocess> Serve(const std::string& crash_at = "") {
    std::map<std::string, std::string> env = Env();
    env["STEADFAST_CRASH_AT"] = crash_at;
    return std::make_unique<Subprocess>(std::vector<std::string>{STEADFAST_BIN, "serve", "--config", config_}, env,
                                        dir_.File("serve.log"));
  }
  void StartInstance(const std::string& workflow, const std::string& input_path, const std::string& id) {
    RunResult r = Cli({"start", workflow, "--input", "@" + input_path, "--id", id, "--as", "tester"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  Store& store() { return reader_->store(); }
  std::optional<InstanceRecord> Instance(const std::string& id) { return reader_->Instance(id); }
  // Waits until `pred` holds for the instance, or timeout.
  bool WaitFor(const std::string& id, const std::function<bool(const InstanceRecord&)>& pred, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      auto rec = Instance(id);
      if (rec && pred(*rec)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  bool WaitTerminal(const std::string& id, int timeout_ms) {
    return WaitFor(id, [](const InstanceRecord& r) { return IsTerminal(r.status); }, timeout_ms);
  }

  // Every ledger transaction balances per currency; returns the number of
  // transactions of `workflow_id` (all when empty).
  int ExpectBalancedLedger(const std::string& workflow_id = "") {
    auto store = testing::OpenRefundTables(db_);
    EXPECT_TRUE(store.ok());
    if (!store.ok()) return -1;
    auto entries = (*store)->LedgerEntries(workflow_id);
    EXPECT_TRUE(entries.ok());
    std::map<std::pair<int64_t, std::string>, int64_t> sums;
    for (const auto& p : *entries) {
      sums[{p.transaction_id, p.entry.currency}] +=
          p.entry.direction == refund::Direction::kDebit ? p.entry.amount_minor : -p.entry.amount_minor;
    }
    std::set<int64_t> txns;
    for (const auto& [key, sum] : sums) {
      EXPECT_EQ(sum, 0) << "transaction " << key.first << " unbalanced in " << key.second;
      txns.insert(key.first);
    }
    return static_cast<int>(txns.size());
  }
  // Signed balance of one account over a workflow's entries.
  int64_t AccountBalance(const std::string& workflow_id, const std::string& account) {
    auto store = testing::OpenRefundTables(db_);
    auto b = (*store)->LedgerBalance(workflow_id);
    int64_t total = 0;
    for (const auto& [key, minor] : *b) {
      if (key.first == account) total += minor;
    }
    return total;
  }

  // `steadfast reconcile` (the real binary) with this harness's config. The
  // tests reconcile right after their workflows finish, so the settle margin
  // that keeps a production run off fresh refunds is 0 here: in-flight
  // workflows are still pending by their status.
  RunResult Reconcile(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"reconcile", "--settle-margin", "0s"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  }
  // A refund made at the PSP directly (outside any workflow), over HTTP.
  std::string RefundAtPsp(const std::string& charge, int64_t amount, const std::string& key) {
    refund::StripeConfig sc;
    sc.base_url = sandbox_.base_url();
    sc.secret_key = SandboxProcess::kSecretKey;
    auto psp = refund::StripePspAdapter::Create(sc, net::CurlTransport::Instance(), SystemClock::Instance());
    EXPECT_TRUE(psp.ok());
    refund::RefundRequest req;
    req.charge = charge;
    req.amount_minor = amount;
    req.idempotency_key = key;
    auto r = (*psp)->Refund(req);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().code + " " + r.error().message);
    return r.ok() ? r->id : "";
  }
  // Runs SQL on the engine database (to damage the ledger on purpose).
  void Sql(const std::string& sql) { testing_support::RawDb(db_).Exec(sql); }

  // Manual review cases opened by `workflow_id` (refund.record_unfinished_refund opens one).
  int64_t ReviewCases(const std::string& workflow_id) {
    auto tables = testing::OpenRefundTables(db_);
    EXPECT_TRUE(tables.ok());
    auto n = (*tables)->CountManualReviews(workflow_id);
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : -1;
  }
  // The sandbox's payouts to one connected account: {count, amount,
  // amount_reversed, reversals}, all 0 when it received none.
  Value TransfersTo(const std::string& account) {
    return Stats().Get("transfers").Get("by_destination").Get(account);
  }
  // Events of `type` in an instance's history.
  int CountEvents(const std::string& id, const std::string& type) {
    auto history = store().GetHistory(id, 0, 0);
    EXPECT_TRUE(history.ok());
    int n = 0;
    for (const HistoryEvent& e : *history) n += e.type == type ? 1 : 0;
    return n;
  }
  std::unique_ptr<Subprocess> Serve(const std::string& crash_at, const std::string& log) {
    std::map<std::string, std::string> env = Env();
    env["STEADFAST_CRASH_AT"] = crash_at;
    return std::make_unique<Subprocess>(std::vector<std::string>{STEADFAST_BIN, "serve", "--config", config_}, env,
                                        dir_.File(log));
  }
  std::string Log(const std::string& name) { return testing::ReadFile(dir_.File(name)); }

  std::string ServeLog() { return testing::ReadFile(dir_.File("serve.log")); }
  const std::string& db() const { return db_; }
  SandboxProcess& sandbox() { return sandbox_; }

 private:
  TempDir dir_;
  SandboxProcess sandbox_;
  std::string config_, db_;
  std::unique_ptr<JsonHttpClient> http_;
  std::unique_ptr<testing_support::StoreReader> reader_;
};

}  // namespace steadfast::integration

#endif  // STEADFAST_TESTS_INTEGRATION_REFUND_REFUND_HARNESS_H_
