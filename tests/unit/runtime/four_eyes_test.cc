// Four-eyes: no principal who took part in requesting an instance may
// decide on it (runtime/four_eyes.h). The rule as a table, then through
// WorkflowService::Decide on a running engine.
#include "runtime/four_eyes.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "builtin/std_activities.h"
#include "core/stderr_logger.h"
#include "runtime/engine.h"
#include "steadfast/history.h"
#include "store/sqlite/sqlite_store.h"
#include "subprocess.h"

namespace steadfast {
namespace {

using namespace std::chrono_literals;

InstanceRecord Requested(const std::string& started_by, const std::string& requested_by, Value input) {
  InstanceRecord rec;
  rec.started_by = started_by;
  rec.requested_by = requested_by;
  rec.input = std::move(input);
  return rec;
}

TEST(FourEyesRuleTest, EveryPrincipalWhoTookPartIsRefused) {
  InstanceRecord rec = Requested("root", "alice", Value::Map{{"requested_by", "Carol "}});
  struct Case {
    const char* decider;
    bool allowed;
    const char* says;
  } cases[] = {
      {"root", false, "started this workflow"},    // the admin who started it on alice's behalf
      {"alice", false, "(requested_by)"},          // the requester the admin named
      {"carol", false, "(input.requested_by)"},    // named in the input; case and spaces do not matter
      {" ALICE", false, "(requested_by)"},
      {"dave", true, ""},                          // anyone else
  };
  for (const Case& c : cases) {
    Status s = CheckFourEyes(rec, c.decider);
    if (c.allowed) {
      EXPECT_TRUE(s.ok()) << c.decider << ": " << s.ToString();
      continue;
    }
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << c.decider;
    EXPECT_EQ(s.message().rfind("four_eyes:", 0), 0u) << s.message();
    EXPECT_NE(s.message().find(c.says), std::string::npos) << s.message();
  }
}

TEST(FourEyesRuleTest, InputRequesterCountsOnlyWhenAString) {
  EXPECT_TRUE(CheckFourEyes(Requested("bot", "bot", Value::Map{{"requested_by", 7}}), "7").ok());
  EXPECT_TRUE(CheckFourEyes(Requested("bot", "bot", Value::Map{{"requested_by", "  "}}), "").ok());
  // Instances from before started_by was stored: requested_by still counts.
  EXPECT_EQ(CheckFourEyes(Requested("", "alice", Value::Map{}), "alice").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Requesters(Requested("", "alice", Value::Map{})).size(), 1u);
}

// The same rule where it is enforced: Decide on an instance held for approval.
class FourEyesServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteStoreOptions so;
    so.path = dir_.File("engine.db");
    auto store = OpenSqliteStore(so);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    ASSERT_TRUE(RegisterStdActivities(registry_).ok());
    catalog_ = std::make_unique<WorkflowCatalog>(&registry_);
    auto def = catalog_->AddSource(R"(
name: held
input: { amount: int, requested_by: "string?" }
steps:
  - id: review
    approval: {}
  - id: pay
    activity: std.noop
)",
                                   "held.yaml");
    ASSERT_TRUE(def.ok()) << def.status().message();
    EngineOptions eo;
    eo.workers = 2;
    eo.poll_interval_ms = 20;
    eo.node_name = "four-eyes";
    engine_ = std::make_unique<Engine>(eo, *store_, *catalog_, registry_, SystemClock::Instance(), random_, logger_);
    ASSERT_TRUE(engine_->Start().ok());
  }
  void TearDown() override { engine_->Stop(); }

  // Starts "held" as `started_by` (the token principal) and waits until it is held.
  std::string StartHeld(const std::string& started_by, const std::string& requested_by, Value input) {
    StartOptions so;
    so.workflow = "held";
    so.input = std::move(input);
    so.started_by = started_by;
    so.requested_by = requested_by;
    auto r = engine_->service().Start(so);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return "";
    EXPECT_EQ(WaitStatus(r->instance.id, InstanceStatus::kWaitingApproval), InstanceStatus::kWaitingApproval);
    return r->instance.id;
  }

  InstanceStatus WaitStatus(const std::string& id, InstanceStatus wanted) {
    InstanceStatus last = InstanceStatus::kRunning;
    for (auto deadline = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < deadline;) {
      auto r = store_->GetInstance(id);
      if (r.ok() && *r) last = (*r)->status;
      if (last == wanted) break;
      std::this_thread::sleep_for(5ms);
    }
    return last;
  }

  Status Approve(const std::string& id, const std::string& principal) {
    return engine_->service().Decide({id, "review", Decision::kApprove, principal, ""}).status();
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  ActivityRegistry registry_;
  std::unique_ptr<WorkflowCatalog> catalog_;
  SystemRandom random_;
  StderrLogger logger_{LogLevel::kWarn};
  std::unique_ptr<Engine> engine_;
};

TEST_F(FourEyesServiceTest, AdminWhoStartedOnBehalfOfAliceCannotApproveAlone) {
  std::string id = StartHeld("root", "alice", Value::Map{{"amount", 900}});
  auto rec = store_->GetInstance(id);
  ASSERT_TRUE(rec.ok() && *rec);
  EXPECT_EQ((*rec)->started_by, "root");
  EXPECT_EQ((*rec)->requested_by, "alice");
  auto history = store_->GetHistory(id, 0, 1);
  ASSERT_TRUE(history.ok() && !history->empty());
  EXPECT_EQ((*history)[0].type, history::kWorkflowStarted);
  EXPECT_EQ((*history)[0].data.Get("started_by").StringOr(""), "root");

  EXPECT_EQ(Approve(id, "root").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Approve(id, "alice").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(engine_->service().Decide({id, "review", Decision::kReject, "root", ""}).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(WaitStatus(id, InstanceStatus::kWaitingApproval), InstanceStatus::kWaitingApproval);
  ASSERT_TRUE(Approve(id, "dave").ok());
  EXPECT_EQ(WaitStatus(id, InstanceStatus::kCompleted), InstanceStatus::kCompleted);
}

TEST_F(FourEyesServiceTest, PersonABotAskedForCannotApproveWhatTheyAskedFor) {
  std::string id = StartHeld("ops-bot", "", Value::Map{{"amount", 900}, {"requested_by", "carol"}});
  EXPECT_EQ(Approve(id, "carol").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Approve(id, "ops-bot").code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(Approve(id, "rita").ok());  // a third reviewer
  EXPECT_EQ(WaitStatus(id, InstanceStatus::kCompleted), InstanceStatus::kCompleted);
}

}  // namespace
}  // namespace steadfast
