// A workflow's `retention:` as a running `steadfast serve` applies it: a
// finished instance disappears once it is older than the retention, is
// counted on /metrics and logged; an unfinished one and a workflow without
// retention stay (docs/workflows.md "History that stays bounded").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "test_server.h"

namespace steadfast::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kBrief = R"(name: brief
version: 1
retention: 1s
steps:
  - id: only
    activity: std.echo
    with: { n: 1 }
)";

TEST(RetentionOverHttp, FinishedInstancesGoOnceOlderThanTheRetention) {
  TestServer server(ServerOptions{"", false, 2, {{"brief", kBrief}}, "retention_interval: 200ms\n"});
  Reply brief = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "brief"})");
  ASSERT_EQ(brief.status, 201) << brief.body;
  const std::string gone = brief.json.Get("id").StringOr("");
  Reply quick = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "quick"})");  // no retention
  ASSERT_EQ(quick.status, 201) << quick.body;
  const std::string kept = quick.json.Get("id").StringOr("");
  Reply waiting = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "wait"})");  // never finishes here
  ASSERT_EQ(waiting.status, 201) << waiting.body;
  ASSERT_TRUE(server.WaitUntil(gone, "completed"));
  ASSERT_TRUE(server.WaitUntil(kept, "completed"));

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  int status = 200;
  while (status != 404 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = server.Get("/v1/workflows/" + gone, kRitaToken).status;
  }
  EXPECT_EQ(status, 404) << "purged a second after it finished";
  EXPECT_EQ(server.Get("/v1/workflows/" + kept, kRitaToken).status, 200);
  EXPECT_EQ(server.Get("/v1/workflows/" + waiting.json.Get("id").StringOr(""), kRitaToken).status, 200);
  EXPECT_THAT(server.Get("/metrics", "").body, HasSubstr("steadfast_instances_purged_total{workflow=\"brief\"} 1"));
}

}  // namespace
}  // namespace steadfast::testing
