// A child workflow step names a workflow of another file: `steadfast
// validate` looks for it among the files it is given (and the config's
// workflows directory), and `steadfast serve` refuses to start when no file
// or deployed version provides it, naming file:line:col, instead of letting
// the first instance fail with child_error at run time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "subprocess.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunCommand;
using testing::RunResult;

constexpr const char* kParent = R"(name: order
steps:
  - id: first
    activity: std.echo
  - id: seller
    workflow: seller_part
    version: 2
    input: { seller: a }
)";

constexpr const char* kChild = R"(name: seller_part
version: 2
input: { seller: string }
steps:
  - id: work
    activity: std.echo
)";

class ChildReferenceCli : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_.path() + "/workflows"); }
  RunResult Steadfast(const std::string& args) {
    // `timeout`: a serve that failed to refuse would otherwise run on.
    return RunCommand({"/bin/sh", "-c", "cd '" + dir_.path() + "' && exec timeout 30 '" STEADFAST_BIN "' " + args});
  }
  void Write(const std::string& file, const std::string& text) { testing::WriteFile(dir_.path() + "/" + file, text); }
  testing::TempDir dir_;
};

TEST_F(ChildReferenceCli, ValidateLooksForTheChildAmongTheFiles) {
  Write("workflows/order.yaml", kParent);
  Write("seller_part.yaml", kChild);

  RunResult alone = Steadfast("validate workflows/order.yaml");
  EXPECT_EQ(alone.exit_code, 1) << alone.output;
  EXPECT_THAT(alone.output, HasSubstr("workflows/order.yaml:6:15: step 'seller' runs workflow 'seller_part' "
                                      "version 2, which is not loaded"));

  RunResult both = Steadfast("validate workflows/order.yaml seller_part.yaml");
  EXPECT_EQ(both.exit_code, 0) << both.output;
  EXPECT_THAT(both.output, HasSubstr("workflows/order.yaml: ok (order v1, 2 steps)"));

  // Another version than the one pinned is named, not taken.
  Write("seller_part.yaml", std::string(kChild).replace(std::string(kChild).find("version: 2"), 10, "version: 3"));
  RunResult other = Steadfast("validate workflows/order.yaml seller_part.yaml");
  EXPECT_EQ(other.exit_code, 1) << other.output;
  EXPECT_THAT(other.output, HasSubstr("(loaded versions: 3)"));
}

TEST_F(ChildReferenceCli, ServeRefusesAChildNoFileProvides) {
  Write("workflows/order.yaml", kParent);
  Write("steadfast.yaml", "database: engine.db\nworkflows_dir: workflows\nnode_name: childref\n");
  RunResult refused = Steadfast("serve --config steadfast.yaml");
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  EXPECT_NE(refused.exit_code, 124) << "serve did not refuse: " << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("order.yaml:6:15: step 'seller' runs workflow 'seller_part' version 2"));
  EXPECT_THAT(refused.output, Not(HasSubstr("serving ")));

  // With the child beside it the same directory serves (checked with a
  // command that loads the catalog the same way, without serving).
  Write("workflows/seller_part.yaml", kChild);
  RunResult listed = Steadfast("validate --config steadfast.yaml workflows/order.yaml");
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
}

}  // namespace
}  // namespace steadfast
