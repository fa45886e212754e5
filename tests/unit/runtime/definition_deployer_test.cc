// DefinitionDeployer over a real SQLite store: a deployed version is in the
// catalog at once and in every catalog loaded later; the same content again
// changes nothing; other content under the name and version is a Conflict;
// problems refuse it whole; a later load reports what no longer fits.
#include "runtime/definition_deployer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "builtin/std_activities.h"
#include "store/sqlite/sqlite_store.h"
#include "subprocess.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;

constexpr const char* kV1 = "name: greet\nversion: 1\nsteps:\n  - id: a\n    activity: std.noop\n";
constexpr const char* kV2 = "name: greet\nversion: 2\nsteps:\n  - id: a\n    activity: std.noop\n  - id: b\n    activity: std.noop\n";

class DefinitionDeployerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RegisterStdActivities(registry_).ok());
    SqliteStoreOptions options;
    options.path = dir_.File("engine.db");
    options.clock = &clock_;
    auto store = OpenSqliteStore(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    deployed_ = dynamic_cast<DeployedDefinitionStore*>(store_.get());
    ASSERT_NE(deployed_, nullptr);
  }

  testing::TempDir dir_;
  ManualClock clock_;
  ActivityRegistry registry_;
  std::unique_ptr<Store> store_;
  DeployedDefinitionStore* deployed_ = nullptr;
};

TEST_F(DefinitionDeployerTest, ADeployedVersionIsUsableAtOnceAndLoadedByTheNextCatalog) {
  WorkflowCatalog catalog(&registry_);
  ASSERT_TRUE(catalog.AddSource(kV1, "workflows/greet.yaml").ok());
  DefinitionDeployer deployer(*deployed_, catalog, &registry_, clock_);
  Result<DeployResult> r = deployer.Deploy(kV2, "greet_v2.yaml", "ops");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->problems.empty());
  EXPECT_EQ(r->outcome, DeployOutcome::kCreated);
  EXPECT_EQ(r->deployed_by, "ops");
  EXPECT_EQ(r->deployed_at, clock_.NowMs());
  EXPECT_EQ((*catalog.Find("greet"))->version, 2);  // the newest, at once

  clock_.Advance(60'000);
  Result<DeployResult> again = deployer.Deploy(kV2, "elsewhere.yaml", "root");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->outcome, DeployOutcome::kUnchanged);
  EXPECT_EQ(again->deployed_by, "ops");  // the first deploy's

  // A process started later finds it, after its own directory.
  WorkflowCatalog later(&registry_);
  ASSERT_TRUE(later.AddSource(kV1, "workflows/greet.yaml").ok());
  DefinitionDeployer loader(*deployed_, later, &registry_, clock_);
  Result<std::vector<Diagnostic>> problems = loader.LoadDeployed();
  ASSERT_TRUE(problems.ok()) << problems.status().ToString();
  EXPECT_TRUE(problems->empty());
  Result<DefPtr> v2 = later.Find("greet", 2);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ((*v2)->hash, r->def->hash);
}

TEST_F(DefinitionDeployerTest, OtherContentUnderTheSameVersionIsAConflict) {
  WorkflowCatalog catalog(&registry_);
  ASSERT_TRUE(catalog.AddSource(kV1, "workflows/greet.yaml").ok());
  DefinitionDeployer deployer(*deployed_, catalog, &registry_, clock_);
  std::string other_v1 = std::string(kV1) + "  - id: z\n    activity: std.noop\n";
  Result<DeployResult> from_directory = deployer.Deploy(other_v1, "x.yaml", "ops");
  ASSERT_FALSE(from_directory.ok());
  EXPECT_EQ(from_directory.status().code(), StatusCode::kConflict);
  EXPECT_THAT(from_directory.status().message(), HasSubstr("from workflows/greet.yaml"));

  ASSERT_TRUE(deployer.Deploy(kV2, "v2.yaml", "ops").ok());
  std::string other_v2 = std::string(kV2) + "  - id: z\n    activity: std.noop\n";
  // Another process, whose catalog does not have v2 yet: the store refuses.
  WorkflowCatalog elsewhere(&registry_);
  DefinitionDeployer second(*deployed_, elsewhere, &registry_, clock_);
  Result<DeployResult> stored = second.Deploy(other_v2, "v2.yaml", "root");
  ASSERT_FALSE(stored.ok());
  EXPECT_EQ(stored.status().code(), StatusCode::kConflict);
  EXPECT_THAT(stored.status().message(), HasSubstr("already deployed with other content (by ops at "));
  EXPECT_FALSE(elsewhere.Find("greet", 2).ok());
}

TEST_F(DefinitionDeployerTest, ProblemsRefuseItWholeAndLaterLoadsReportWhatNoLongerFits) {
  WorkflowCatalog catalog(&registry_);
  DefinitionDeployer deployer(*deployed_, catalog, &registry_, clock_);
  Result<DeployResult> bad = deployer.Deploy("name: bad\nsteps:\n  - id: a\n    activity: std.nope\n", "bad.yaml", "ops");
  ASSERT_TRUE(bad.ok()) << bad.status().ToString();
  ASSERT_EQ(bad->problems.size(), 1u);
  EXPECT_THAT(bad->problems[0].ToString(), HasSubstr("bad.yaml:4:15: unknown activity 'std.nope'"));
  EXPECT_TRUE(deployed_->ListDeployedDefinitions()->empty());

  ASSERT_TRUE(deployer.Deploy(kV2, "v2.yaml", "ops").ok());
  // Restarted with a directory whose greet v2 differs: reported, not loaded.
  WorkflowCatalog changed(&registry_);
  std::string other_v2 = std::string(kV2) + "  - id: z\n    activity: std.noop\n";
  ASSERT_TRUE(changed.AddSource(other_v2, "workflows/greet.yaml").ok());
  DefinitionDeployer loader(*deployed_, changed, &registry_, clock_);
  Result<std::vector<Diagnostic>> problems = loader.LoadDeployed();
  ASSERT_TRUE(problems.ok());
  ASSERT_EQ(problems->size(), 1u);
  EXPECT_THAT((*problems)[0].ToString(), HasSubstr("deployed greet@v2 (by ops at "));
  EXPECT_THAT((*problems)[0].ToString(), HasSubstr("already registered with other content"));
  // Restarted without the activity it uses: reported.
  ActivityRegistry empty;
  WorkflowCatalog bare(&empty);
  DefinitionDeployer bare_loader(*deployed_, bare, &empty, clock_);
  Result<std::vector<Diagnostic>> missing = bare_loader.LoadDeployed();
  ASSERT_TRUE(missing.ok());
  ASSERT_FALSE(missing->empty());
  EXPECT_THAT((*missing)[0].ToString(), HasSubstr("unknown activity 'std.noop'"));
}

}  // namespace
}  // namespace steadfast
