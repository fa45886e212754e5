// The chaos soak: the real `steadfast serve` with the refund plugin runs the
// reservation, return and marketplace workflows of workflows/ against the
// real sandbox PSP with every fault it offers switched on, while a seeded
// schedule kill -9s and restarts serve, races two reviewers deciding one
// approval over HTTP, delivers signals (some before the step waits, some
// twice) and cancels instances whatever they are doing. Then the faults go
// off, the remaining approvals and signals are given, everything drains, and
// the soak checks what a finance team and an engine author would:
//
//   - every instance it started is terminal (and none it did not start exists);
//   - at most one refund per reservation at the PSP, exactly one succeeded
//     refund for every completed workflow that refunded (the sandbox's rows);
//   - every ledger transaction balances per currency;
//   - `steadfast reconcile` finds no drift between the PSP, the ledger and
//     the workflows;
//   - no task ran concurrently twice: per step, attempts 1..n with one
//     outcome each and no two attempts overlapping in time (history).
//
// Short by default (the `soak` suite in CI). The long run is by hand:
//   STEADFAST_SOAK_SEED=20261202 STEADFAST_SOAK_SECONDS=900 build/tests/soak/chaos_soak_test
// The seed is printed; the same seed replays the same schedule of actions
// (which action, on which instance, when; the sandbox's fault draws), as far
// as real processes and a real clock allow.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "attempt_history.h"
#include "free_port.h"
#include "definition/content_hash.h"
#include "refund_tables.h"
#include "sandbox_process.h"
#include "store_reader.h"
#include "serve_api.h"
#include "subprocess.h"

namespace steadfast::soak {
namespace {

using integration::SandboxProcess;
using Clock = std::chrono::steady_clock;

const std::string kSource = STEADFAST_SOURCE_ROOT;

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return std::strtoll(text, nullptr, 10);
}


Value LoadExample(const std::string& name) {
  auto v = Value::FromJson(testing::ReadFile(kSource + "/workflows/examples/" + name));
  EXPECT_TRUE(v.ok()) << name;
  return v.ok() ? *v : Value();
}

enum class Kind { kReservation, kLargeReservation, kReturn, kMarketplace };

struct Planned {
  std::string id;
  Kind kind;
  std::string workflow;
  std::string charge;
  int64_t charge_amount = 0;
  Value input;
  bool acknowledged = false;  // the start call was answered 200/201
};

// What the soak did and saw, printed at the end and quoted in
// docs/RELIABILITY.md.
struct Figures {
  int instances = 0;
  int kills = 0;
  int restarts = 0;
  int approval_races = 0;
  int decisions_accepted = 0;
  int decisions_refused = 0;  // already_decided / invalid_state
  int signals_sent = 0;
  int cancels_accepted = 0;
  int calls_while_down = 0;   // no HTTP answer: serve was dead or restarting
};

class ChaosSoak {
 public:
  explicit ChaosSoak(uint64_t seed) : seed_(seed), rng_(seed) {
    std::vector<std::string> faults = {
        "--seed", std::to_string(seed % 1000000007),
        "--error-rate", "0.15", "--rate-limit-rate", "0.05", "--retry-after-s", "1",
        "--latency-ms", "5", "--latency-jitter-ms", "60",
        "--timeout-rate", "0.03", "--timeout-hold-ms", "2500",
        "--drop-rate", "0.05",
        "--settle-delay-ms", "300", "--settle-fail-rate", "0.03"};
    Status s = sandbox_.Start(faults);
    EXPECT_TRUE(s.ok()) << s.ToString();
    sandbox_api_ = std::make_unique<ServeApi>(sandbox_.base_url());
    port_ = FreePort();
    api_ = std::make_unique<ServeApi>("http://127.0.0.1:" + std::to_string(port_));
    config_ = dir_.File("steadfast.yaml");
    db_ = dir_.File("engine.db");
    reader_ = std::make_unique<testing_support::StoreReader>(db_);
    const std::string url = sandbox_.base_url();
    auto token_line = [](const std::string& name, const std::string& token, const std::string& role) {
      return "    - { name: " + name + ", sha256: " + Sha256Hex(token) + ", roles: [" + role + "] }\n";
    };
    testing::WriteFile(
        config_,
        "database: " + db_ + "\nworkflows_dir: " + kSource +
            "/workflows\nworkers: 6\nnode_name: soak\nlease: 2s\npoll_interval: 50ms\nlog_level: info\n"
            "http:\n  listen: 127.0.0.1:" + std::to_string(port_) +
            "\n  rate_limit: { per_principal_per_s: 0, burst: 1 }\n  tokens:\n" +
            token_line("soak-ops", kOps, "operator") + token_line("reviewer-a", kReviewerA, "reviewer") +
            token_line("reviewer-b", kReviewerB, "reviewer") +
            "plugin_config:\n  refund:\n"
            "    policies: " + kSource + "/config/refund_policies.yaml\n"
            "    risk_rules: " + kSource + "/config/risk_rules.yaml\n"
            "    psp: { base_url: \"" + url + "\", timeout: 2s, settle_wait: 1s, poll_interval: 100ms,"
            " pending_retry_after: 1s, breaker_open: 1s }\n"
            "    inventory_url: \"" + url + "\"\n    notification_url: \"" + url + "\"\n"
            "    service_timeout: 2s\n");
  }

  ~ChaosSoak() {
    if (serve_) {
      serve_->Kill(SIGKILL);
      serve_->Wait(10000);
    }
  }

  void Run(std::chrono::seconds chaos, int max_instances) {
    StartServe();
    const auto chaos_end = Clock::now() + chaos;
    auto next_kill = Clock::now() + std::chrono::milliseconds(Draw(1000, 4000));
    while (Clock::now() < chaos_end) {
      // Every draw is made whatever the state, so a seed fixes the schedule.
      const int pause_ms = Draw(10, 120);
      const int action = Draw(0, 99);
      const int kind = Draw(0, 99);
      const int target = Draw(0, 1 << 20);
      const int variant = Draw(0, 99);
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
      if (Clock::now() >= next_kill) {
        const int down_ms = Draw(50, 700);
        next_kill = KillAndRestart(down_ms) + std::chrono::milliseconds(Draw(1000, 4000));
        continue;
      }
      if (action < 30) {
        if (static_cast<int>(planned_.size()) < max_instances) StartNew(kind);
      } else if (action < 50) {
        RaceReviewers(target, variant);
      } else if (action < 75) {
        SendSignal(target, variant);
      } else if (action < 80) {
        CancelOne(target);
      } else {
        RetryUnacknowledgedStarts();
      }
    }
    Drain(std::chrono::seconds(EnvInt("STEADFAST_SOAK_DRAIN_SECONDS", 240)));
  }

  void CheckInvariants();
  void PrintFigures(std::chrono::seconds chaos, Clock::duration took);

  const Figures& figures() const { return figures_; }
  const Value& sandbox_faults() const { return sandbox_faults_; }
  int Count(const std::string& status) const {
    auto it = statuses_.find(status);
    return it == statuses_.end() ? 0 : it->second;
  }

 private:
  static constexpr const char* kOps = "soak-ops-token-0123456789abcdef";
  static constexpr const char* kReviewerA = "soak-reviewer-a-token-0123456789";
  static constexpr const char* kReviewerB = "soak-reviewer-b-token-0123456789";

  int Draw(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  void StartServe() {
    serve_ = std::make_unique<testing::Subprocess>(
        std::vector<std::string>{STEADFAST_BIN, "serve", "--config", config_},
        std::map<std::string, std::string>{{"STEADFAST_PSP_SECRET_KEY", SandboxProcess::kSecretKey}},
        dir_.File("serve.log"));
    ++figures_.restarts;
  }

  Clock::time_point KillAndRestart(int down_ms) {
    serve_->Kill(SIGKILL);
    serve_->Wait(10000);
    ++figures_.kills;
    std::this_thread::sleep_for(std::chrono::milliseconds(down_ms));
    StartServe();
    return Clock::now();
  }

  void StartNew(int kind_draw) {
    Planned p;
    p.kind = kind_draw < 30   ? Kind::kReservation
             : kind_draw < 55 ? Kind::kLargeReservation
             : kind_draw < 80 ? Kind::kReturn
                              : Kind::kMarketplace;
    const std::string n = std::to_string(planned_.size() + 1);
    p.id = "soak-" + n;
    p.charge = "ch_soak_" + n;
    switch (p.kind) {
      case Kind::kReservation:
      case Kind::kLargeReservation: {
        const bool large = p.kind == Kind::kLargeReservation;
        p.workflow = "reservation_refund";
        p.input = LoadExample(large ? "reservation_large.json" : "reservation.json");
        p.input["reservation"]["id"] = "r-soak-" + n;
        p.input["reservation"]["payment"]["charge"] = p.charge;
        p.input["reservation"]["payment"]["method"] = "pm_soak_" + n;
        p.input["reservation"]["customer"]["id"] = "guest-soak-" + n;
        p.input["requested_by"] = "guest-soak-" + n;
        p.charge_amount = large ? 78500 : 27000;
        break;
      }
      case Kind::kReturn:
        p.workflow = "return_refund";
        p.input = LoadExample("return.json");
        p.input["order"]["id"] = "o-soak-" + n;
        p.input["order"]["payment"]["charge"] = p.charge;
        p.input["order"]["payment"]["method"] = "pm_soak_" + n;
        p.input["order"]["customer"]["id"] = "cust-soak-" + n;
        p.charge_amount = 18350;
        break;
      case Kind::kMarketplace:
        p.workflow = "marketplace_cancellation";
        p.input = LoadExample("marketplace.json");
        p.input["order"]["id"] = "m-soak-" + n;
        p.input["order"]["payment"]["charge"] = p.charge;
        p.input["order"]["payment"]["method"] = "pm_soak_" + n;
        p.input["order"]["customer"]["id"] = "buyer-soak-" + n;
        p.charge_amount = 10515;
        break;
    }
    // The control plane is outside the faults' scope: seeding never fails.
    ApiReply seeded = sandbox_api_->Post(
        "/sandbox/charges", "", Value::Map{{"id", p.charge}, {"amount", p.charge_amount}, {"currency", "EUR"}});
    EXPECT_EQ(seeded.status / 100, 2) << seeded.text;
    planned_.push_back(std::move(p));
    Acknowledge(planned_.back());
  }

  // Starts (or starts again: the same id and input is a safe retry) one
  // planned instance.
  void Acknowledge(Planned& p) {
    ApiReply r = api_->Post("/v1/workflows", kOps,
                            Value::Map{{"workflow", p.workflow}, {"id", p.id}, {"input", p.input}});
    if (r.status == 200 || r.status == 201) {
      p.acknowledged = true;
      return;
    }
    if (r.status == 0 || r.status == 503) {
      ++figures_.calls_while_down;
      return;
    }
    ADD_FAILURE() << "start " << p.id << ": " << r.status << " " << r.text;
    p.acknowledged = true;  // reported; do not retry a refusal forever
  }

  void RetryUnacknowledgedStarts() {
    for (Planned& p : planned_) {
      if (!p.acknowledged) Acknowledge(p);
    }
  }

  // Picks the target-th planned instance of a kind (the seed's choice,
  // whatever state that instance is in).
  Planned* Pick(int target, std::initializer_list<Kind> kinds) {
    std::vector<Planned*> of_kind;
    for (Planned& p : planned_) {
      for (Kind k : kinds) {
        if (p.kind == k) of_kind.push_back(&p);
      }
    }
    if (of_kind.empty()) return nullptr;
    return of_kind[static_cast<size_t>(target) % of_kind.size()];
  }

  // Two reviewers decide one approval at the same moment: at most one wins.
  void RaceReviewers(int target, int variant) {
    Planned* p = Pick(target, {Kind::kLargeReservation, Kind::kReservation});
    if (p == nullptr) return;
    const std::string path = "/v1/workflows/" + p->id + "/approvals/review";
    const std::string decision_a = variant < 70 ? "approve" : "reject";
    const std::string decision_b = variant % 3 == 0 ? "reject" : "approve";
    ApiReply a, b;
    std::thread ta([&] { a = api_->Post(path, kReviewerA, Value::Map{{"decision", decision_a}, {"comment", "soak"}}); });
    std::thread tb([&] { b = api_->Post(path, kReviewerB, Value::Map{{"decision", decision_b}, {"comment", "soak"}}); });
    ta.join();
    tb.join();
    ++figures_.approval_races;
    int accepted = 0;
    for (const ApiReply* r : {&a, &b}) {
      if (r->status == 200) {
        ++accepted;
      } else if (r->status == 409) {
        ++figures_.decisions_refused;
        const std::string code = r->ErrorCode();
        EXPECT_TRUE(code == "already_decided" || code == "invalid_state") << r->text;
      } else if (r->status == 0 || r->status == 503) {
        ++figures_.calls_while_down;
      } else if (!(r->status == 404 && !p->acknowledged)) {  // its start is still to be retried
        ADD_FAILURE() << "decision on " << p->id << ": " << r->status << " " << r->text;
      }
    }
    figures_.decisions_accepted += accepted;
    EXPECT_LE(accepted, 1) << "two reviewers both decided " << p->id << ": " << a.text << " / " << b.text;
  }

  // The payload of a signal is fixed per instance and name, so a repeat
  // under the same key is a duplicate, never a conflict.
  static Value SignalPayload(const std::string& name) {
    if (name == "item_received") return Value::Map{{"carrier_scan", "SOAK"}};
    return Value::Map{{"result", "good"}};
  }

  ApiReply Signal(const Planned& p, const std::string& name, const std::string& key) {
    ApiReply r = api_->Post("/v1/workflows/" + p.id + "/signals/" + name, kOps, SignalPayload(name), key);
    ++figures_.signals_sent;
    if (r.status == 0 || r.status == 503) ++figures_.calls_while_down;
    return r;
  }

  void SendSignal(int target, int variant) {
    Planned* p = Pick(target, {Kind::kReturn});
    if (p == nullptr) return;
    const std::string name = variant % 2 == 0 ? "item_received" : "inspection_result";
    // Mostly one key per signal (repeats are duplicates); sometimes a second
    // key (a second delivery the workflow buffers and never consumes).
    const std::string key = p->id + "/" + name + (variant < 90 ? "" : "/again");
    ApiReply r = Signal(*p, name, key);
    if (r.status == 200 || r.status == 0 || r.status == 503) return;
    if (r.status == 409 && r.ErrorCode() == "invalid_state") return;  // finished already
    if (r.status == 404 && !p->acknowledged) return;                  // not started yet
    ADD_FAILURE() << "signal " << name << " to " << p->id << ": " << r.status << " " << r.text;
  }

  void CancelOne(int target) {
    Planned* p = Pick(target, {Kind::kReservation, Kind::kLargeReservation, Kind::kReturn, Kind::kMarketplace});
    if (p == nullptr) return;
    ApiReply r = api_->Post("/v1/workflows/" + p->id + "/cancel", kOps, Value::Map{{"reason", "soak cancel"}});
    if (r.status == 200 || r.status == 202) {
      ++figures_.cancels_accepted;
    } else if (r.status == 0 || r.status == 503) {
      ++figures_.calls_while_down;
    } else if (!(r.status == 409 && r.ErrorCode() == "invalid_state") && !(r.status == 404 && !p->acknowledged)) {
      ADD_FAILURE() << "cancel " << p->id << ": " << r.status << " " << r.text;
    }
  }

  Store& store() { return reader_->store(); }
  std::optional<InstanceRecord> Instance(const std::string& id) { return reader_->Instance(id); }

  // Faults off; serve keeps running; every open approval is approved and
  // every awaited signal given until all instances are terminal.
  void Drain(std::chrono::seconds limit) {
    ApiReply off = sandbox_api_->Post("/sandbox/faults", "", Value::Map{{"reset", true}});
    EXPECT_EQ(off.status, 200) << off.text;
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      RetryUnacknowledgedStarts();
      int open = 0;
      for (Planned& p : planned_) {
        if (!p.acknowledged) {
          ++open;
          continue;
        }
        auto rec = Instance(p.id);
        if (rec && IsTerminal(rec->status)) continue;
        ++open;
        if (!rec) continue;
        if (rec->status == InstanceStatus::kWaitingApproval) {
          api_->Post("/v1/workflows/" + p.id + "/approvals/review", kReviewerA, Value::Map{{"decision", "approve"}});
        } else if (rec->status == InstanceStatus::kWaitingSignal) {
          for (const char* name : {"item_received", "inspection_result"}) Signal(p, name, p.id + "/" + name);
        }
      }
      if (open == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }

  uint64_t seed_;
  std::mt19937_64 rng_;
  testing::TempDir dir_;
  SandboxProcess sandbox_;
  std::unique_ptr<ServeApi> sandbox_api_;
  int port_ = 0;
  std::unique_ptr<ServeApi> api_;
  std::string config_, db_;
  std::unique_ptr<testing::Subprocess> serve_;
  std::unique_ptr<testing_support::StoreReader> reader_;
  std::vector<Planned> planned_;
  Figures figures_;
  Value sandbox_faults_;
  std::map<std::string, int> statuses_;
  int anomalies_ = 0;
};

// Records a broken invariant: a test failure, counted in the figures.
#define SOAK_EXPECT(cond, what)            \
  do {                                     \
    if (!(cond)) {                         \
      ++anomalies_;                        \
      ADD_FAILURE() << what;               \
    }                                      \
  } while (0)

void ChaosSoak::CheckInvariants() {
  serve_->Kill(SIGTERM);
  SOAK_EXPECT(serve_->Wait(30000).value_or(-1) == 0, "serve did not stop cleanly");
  serve_.reset();

  // 1. Every instance the soak started is terminal, and only those exist
  // (besides runs of the workflows directory's own schedules: a dispute
  // sync every five minutes may fall into the soak).
  ListFilter all;
  all.limit = 0;
  auto listed = store().ListInstances(all);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::erase_if(*listed, [](const InstanceRecord& r) { return r.started_by.rfind("schedule:", 0) == 0; });
  SOAK_EXPECT(listed->size() == planned_.size(),
              "the store holds " << listed->size() << " instances, the soak started " << planned_.size());
  std::map<std::string, InstanceRecord> by_id;
  for (const InstanceRecord& r : *listed) by_id[r.id] = r;
  for (const Planned& p : planned_) {
    SOAK_EXPECT(p.acknowledged, p.id << " was never acknowledged");
    auto it = by_id.find(p.id);
    SOAK_EXPECT(it != by_id.end(), p.id << " is missing");
    if (it == by_id.end()) continue;
    const InstanceRecord& r = it->second;
    SOAK_EXPECT(IsTerminal(r.status), p.id << " ended " << InstanceStatusName(r.status) << " at " << r.current_step);
    ++statuses_[std::string(InstanceStatusName(r.status))];
  }
  figures_.instances = static_cast<int>(planned_.size());

  // 2. At most one refund per reservation at the PSP; exactly one succeeded
  //    refund, of the workflow's amount, for each completed workflow that
  //    says it refunded.
  ApiReply stats = sandbox_api_->Get("/sandbox/stats");
  ASSERT_EQ(stats.status, 200) << stats.text;
  sandbox_faults_ = stats.body.Get("faults");
  const Value& by_charge = stats.body.Get("refunds").Get("by_charge");
  for (const Planned& p : planned_) {
    const Value& c = by_charge.Get(p.charge);
    const int64_t count = c.Get("count").IntOr(0);
    SOAK_EXPECT(count <= 1, p.id << " was refunded " << count << " times at the PSP: " << c.ToJson());
    auto it = by_id.find(p.id);
    if (it == by_id.end()) continue;
    const InstanceRecord& r = it->second;
    if (r.status == InstanceStatus::kCompleted && r.output.Get("psp_refund").is_string()) {
      SOAK_EXPECT(count == 1 && c.Get("succeeded").IntOr(0) == 1 &&
                      c.Get("amount_refunded").IntOr(-1) == r.output.Get("refund_total").Get("minor").IntOr(-2),
                  p.id << " completed with refund " << r.output.Get("psp_refund").ToJson() << " of "
                       << r.output.Get("refund_total").ToJson() << "; the PSP has " << c.ToJson());
    }
  }

  // 3. Every ledger transaction balances per currency.
  {
    auto tables = testing::OpenRefundTables(db_);
    ASSERT_TRUE(tables.ok()) << tables.status().ToString();
    auto entries = (*tables)->LedgerEntries("");
    ASSERT_TRUE(entries.ok());
    std::map<std::pair<int64_t, std::string>, int64_t> sums;
    for (const auto& e : *entries) {
      sums[{e.transaction_id, e.entry.currency}] +=
          e.entry.direction == refund::Direction::kDebit ? e.entry.amount_minor : -e.entry.amount_minor;
    }
    for (const auto& [key, sum] : sums) {
      SOAK_EXPECT(sum == 0, "ledger transaction " << key.first << " unbalanced in " << key.second << " by " << sum);
    }
  }

  // 4. Reconciliation: the PSP, the ledger and the workflows agree.
  testing::RunResult rec = testing::RunCommand(
      {STEADFAST_BIN, "reconcile", "--settle-margin", "0s", "--config", config_},
      {{"STEADFAST_PSP_SECRET_KEY", SandboxProcess::kSecretKey}}, 120000);
  SOAK_EXPECT(rec.exit_code == 0 && rec.output.find("no drift") != std::string::npos,
              "reconcile exited " << rec.exit_code << ":\n" << rec.output);

  // 5. No task ran concurrently twice.
  for (const Planned& p : planned_) {
    auto h = store().GetHistory(p.id, 0, 100000);
    ASSERT_TRUE(h.ok());
    for (const std::string& problem : AttemptHistoryProblems(*h)) SOAK_EXPECT(false, p.id << ": " << problem);
  }
  if (anomalies_ > 0) std::cout << "serve log: " << dir_.File("serve.log") << std::endl;
}

void ChaosSoak::PrintFigures(std::chrono::seconds chaos, Clock::duration took) {
  std::cout << "soak figures: seed " << seed_ << ", chaos " << chaos.count() << " s, total "
            << std::chrono::duration_cast<std::chrono::seconds>(took).count() << " s; instances "
            << figures_.instances << " (";
  for (const auto& [status, n] : statuses_) std::cout << status << " " << n << ", ";
  std::cout << "); kill -9 " << figures_.kills << "; approval races " << figures_.approval_races << " ("
            << figures_.decisions_accepted << " decisions accepted, " << figures_.decisions_refused
            << " refused); signals " << figures_.signals_sent << "; cancels accepted " << figures_.cancels_accepted
            << "; calls while serve was down " << figures_.calls_while_down << "; PSP faults injected "
            << sandbox_faults_.ToJson() << "; anomalies " << anomalies_ << std::endl;
}

TEST(ChaosSoakTest, EveryInstanceEndsWithOneRefundBalancedBooksAndNoTaskRunTwice) {
  const uint64_t seed = static_cast<uint64_t>(EnvInt("STEADFAST_SOAK_SEED", std::random_device{}() & 0x7fffffff));
  const std::chrono::seconds chaos(EnvInt("STEADFAST_SOAK_SECONDS", 60));
  const int max_instances = static_cast<int>(EnvInt("STEADFAST_SOAK_MAX_INSTANCES", 100000));
  std::cout << "soak: seed " << seed << "; reproduce with STEADFAST_SOAK_SEED=" << seed
            << " STEADFAST_SOAK_SECONDS=" << chaos.count() << " build/tests/soak/chaos_soak_test" << std::endl;
  const auto began = Clock::now();
  ChaosSoak soak(seed);
  soak.Run(chaos, max_instances);
  soak.CheckInvariants();
  soak.PrintFigures(chaos, Clock::now() - began);
  // Not vacuous: the chaos happened.
  EXPECT_GE(soak.figures().kills, 3);
  EXPECT_GE(soak.figures().instances, 20);
  EXPECT_GT(soak.sandbox_faults().Get("5xx").IntOr(0), 0);
  EXPECT_GT(soak.sandbox_faults().Get("dropped").IntOr(0), 0);
  EXPECT_GT(soak.figures().decisions_accepted, 0);
  EXPECT_GT(soak.figures().cancels_accepted, 0);
  EXPECT_GT(soak.Count("completed"), 0);
}

}  // namespace
}  // namespace steadfast::soak
