// Schedules in a real `steadfast serve`: a one-second schedule starts
// exactly one instance per tick across a kill -9 and a restart, and each
// catch-up policy is honoured for the ticks missed while the server was
// down (counted from the schedule's history and the instances over HTTP).
// Also the /v1/schedules routes: roles, pause, resume, trigger.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "steadfast/time_text.h"
#include "test_server.h"

namespace steadfast::testing {
namespace {

constexpr const char* kTickerYaml = R"(name: ticker
version: 1
steps:
  - id: a
    activity: std.noop
schedules:
  - name: every_second_all
    every: 1s
    overlap: allow
    catch_up: all
    catch_up_limit: 100
  - name: every_second_skip
    every: 1s
    overlap: allow
    catch_up: skip
  - name: nightly
    cron: "0 2 * * *"
    time_zone: Europe/Paris
)";

struct Tick {
  TimeMs at = 0;
  std::string outcome;
  std::string reason;
  std::string instance_id;
  int64_t ticks = 1;
};

std::vector<Tick> History(const TestServer& server, const std::string& schedule) {
  Reply r = server.Get("/v1/schedules/" + schedule + "/history?limit=1000", kRitaToken);
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<Tick> out;
  if (!r.json.Get("items").is_list()) return out;
  for (const Value& v : r.json.Get("items").AsList()) {
    if (v.Get("kind").StringOr("") != "scheduled") continue;
    Tick t;
    t.at = *ParseRfc3339(v.Get("tick_at").StringOr(""));
    t.outcome = v.Get("outcome").StringOr("");
    t.reason = v.Get("reason").StringOr("");
    t.instance_id = v.Get("instance_id").StringOr("");
    t.ticks = v.Get("ticks").IntOr(0);
    out.push_back(t);
  }
  std::sort(out.begin(), out.end(), [](const Tick& a, const Tick& b) { return a.at < b.at; });
  return out;
}

// Waits until the schedule has recorded at least `count` scheduled ticks.
bool WaitForTicks(const TestServer& server, const std::string& schedule, size_t count, int timeout_ms = 10000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (History(server, schedule).size() >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// How many instances each id has (ids are unique, so a count above 1 cannot
// happen; a tick with two instances would show as two different ids).
std::map<std::string, int> InstancesOf(const TestServer& server, const std::string& prefix) {
  std::map<std::string, int> ids;
  Reply r = server.Get("/v1/workflows?workflow=ticker&limit=500", kRitaToken);
  EXPECT_EQ(r.status, 200) << r.body;
  if (!r.json.Get("items").is_list()) return ids;
  for (const Value& v : r.json.Get("items").AsList()) {
    std::string id = v.Get("id").StringOr("");
    if (id.rfind(prefix, 0) == 0) ++ids[id];
  }
  return ids;
}

ServerOptions WithTicker() {
  ServerOptions o;
  o.workflows = {{"ticker", kTickerYaml}};
  return o;
}

TEST(Schedules, OneInstancePerTickAcrossKillNineAndRestart) {
  TestServer server(WithTicker());
  ASSERT_FALSE(server.url().empty());
  ASSERT_TRUE(WaitForTicks(server, "every_second_all", 2)) << server.Log();
  // Down for 2.3 s: at least two ticks pass with no server, and at least one
  // of them is missed (the newest is on time when the server is back).
  server.Restart(SIGKILL, 2300);
  const TimeMs down_until = SystemClock::Instance().NowMs();
  ASSERT_FALSE(server.url().empty());
  auto caught_up = [&] {
    std::vector<Tick> all = History(server, "every_second_all");
    return !all.empty() && all.back().at > down_until + 1000;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!caught_up() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(caught_up()) << server.Log();

  // catch_up: all — every second from the first tick to the last has
  // exactly one row, started, with its own instance.
  std::vector<Tick> all = History(server, "every_second_all");
  std::map<std::string, int> all_instances = InstancesOf(server, "sched:every_second_all:");
  ASSERT_GE(all.size(), 5u);
  int catch_ups = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].outcome, "started") << i;
    EXPECT_EQ(all[i].ticks, 1);
    if (i > 0) {
      EXPECT_EQ(all[i].at - all[i - 1].at, 1000) << "a tick missing or twice at " << i;
    }
    EXPECT_EQ(all_instances[all[i].instance_id], 1) << all[i].instance_id;
    catch_ups += all[i].reason == "catch_up" ? 1 : 0;
  }
  EXPECT_GE(catch_ups, 1) << "the ticks missed while down were started on restart";
  EXPECT_EQ(all_instances.size(), all.size()) << "no instance without its tick";

  // catch_up: skip — the missed ticks are one skipped row; every other
  // second started once; together they cover every second once.
  std::vector<Tick> skip = History(server, "every_second_skip");
  std::map<std::string, int> skip_instances = InstancesOf(server, "sched:every_second_skip:");
  ASSERT_GE(skip.size(), 3u);
  int64_t covered = 0;
  int skipped_rows = 0;
  int64_t skipped_ticks = 0;
  for (size_t i = 0; i < skip.size(); ++i) {
    covered += skip[i].ticks;
    if (i > 0) {
      EXPECT_EQ(skip[i].at - skip[i - 1].at, 1000 * skip[i].ticks) << "gap or overlap at " << i;
    }
    if (skip[i].outcome == "skipped") {
      ++skipped_rows;
      skipped_ticks += skip[i].ticks;
      EXPECT_EQ(skip[i].instance_id, "");
      EXPECT_NE(skip[i].reason.find("catch_up: skip"), std::string::npos) << skip[i].reason;
    } else {
      EXPECT_EQ(skip_instances[skip[i].instance_id], 1) << skip[i].instance_id;
    }
  }
  EXPECT_EQ(skipped_rows, 1);
  EXPECT_GE(skipped_ticks, 1);
  EXPECT_EQ(covered, (skip.back().at - skip.front().at) / 1000 + skip.front().ticks);
  EXPECT_EQ(static_cast<int64_t>(skip_instances.size()), static_cast<int64_t>(skip.size()) - skipped_rows);

  // /metrics counts what this process (after the restart) handled.
  Reply metrics = server.Get("/metrics", "");
  EXPECT_NE(metrics.body.find("steadfast_schedule_ticks_total{schedule=\"every_second_skip\",outcome=\"skipped\","
                              "reason=\"catch_up\"}"),
            std::string::npos)
      << metrics.body.substr(0, 2000);
  EXPECT_NE(metrics.body.find("steadfast_schedule_paused{schedule=\"nightly\"} 0"), std::string::npos);
}

TEST(Schedules, OperatorsActReviewersRead) {
  TestServer server(WithTicker());
  Reply list = server.Get("/v1/schedules", kRitaToken);
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json.Get("items").AsList().size(), 3u);
  const Value& nightly = list.json.Get("items").AsList()[2];  // by name
  EXPECT_EQ(nightly.Get("name").StringOr(""), "nightly");
  EXPECT_EQ(nightly.Get("rule").StringOr(""), "cron '0 2 * * *' (Europe/Paris)");
  EXPECT_EQ(nightly.Get("catch_up").StringOr(""), "latest");

  EXPECT_EQ(server.Post("/v1/schedules/nightly/pause", kRitaToken, "{}").status, 403);
  Reply paused = server.Post("/v1/schedules/nightly/pause", kOpsToken, R"({"reason": "PSP maintenance"})");
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_TRUE(paused.json.Get("paused").BoolOr(false));
  EXPECT_EQ(paused.json.Get("paused_by").StringOr(""), "ops");
  EXPECT_TRUE(paused.json.Get("next_tick_at").is_null());
  EXPECT_EQ(server.Post("/v1/schedules/nightly/pause", kOpsToken, R"({"why": "x"})").status, 400);
  EXPECT_EQ(server.Post("/v1/schedules/nope/pause", kOpsToken, "{}").status, 404);

  Reply triggered = server.Post("/v1/schedules/nightly/trigger", kOpsToken, "");
  ASSERT_EQ(triggered.status, 201) << triggered.body;
  const std::string id = triggered.json.Get("instance_id").StringOr("");
  EXPECT_EQ(id.rfind("sched:nightly:manual:", 0), 0u) << id;
  EXPECT_TRUE(server.WaitUntil(id, "completed"));
  Reply history = server.Get("/v1/schedules/nightly/history", kRitaToken);
  ASSERT_EQ(history.status, 200);
  ASSERT_EQ(history.json.Get("items").AsList().size(), 1u);
  EXPECT_EQ(history.json.Get("items").AsList()[0].Get("principal").StringOr(""), "ops");

  Reply resumed = server.Post("/v1/schedules/nightly/resume", kOpsToken, "");
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  EXPECT_FALSE(resumed.json.Get("paused").BoolOr(true));
  EXPECT_TRUE(resumed.json.Get("next_tick_at").is_string());
  EXPECT_EQ(server.Get("/v1/schedules/nightly", "").status, 401);
}

}  // namespace
}  // namespace steadfast::testing
