// A verb's command line parsed against its CommandSpec (CLI11 underneath):
// what a verb gets, and what is refused before it runs.
#include "steadfast/command_flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace steadfast {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

CommandSpec ApproveSpec() {
  CommandSpec spec("approve");
  spec.Summary("approves a held approval")
      .Positional("ID", "the instance")
      .Positional("STEP", "the approval step")
      .Option("comment", "TEXT", "recorded with the decision")
      .Json()
      .StoreOptions();
  return spec;
}

TEST(CommandFlagsTest, PositionalsOptionsAndSwitchesInAnyOrder) {
  auto f = CommandFlags::Parse({"--db", "x.db", "wf-1", "--comment=ok, fine", "review", "--json"}, ApproveSpec());
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_FALSE(f->help_requested());
  EXPECT_THAT(f->positional(), ElementsAre("wf-1", "review"));
  EXPECT_EQ(f->GetOr("db", ""), "x.db");
  EXPECT_EQ(f->GetOr("comment", ""), "ok, fine");
  EXPECT_TRUE(f->Has("json"));
  EXPECT_FALSE(f->Has("config"));
  EXPECT_FALSE(f->Get("config").has_value());
}

TEST(CommandFlagsTest, AnOptionGivenTwiceKeepsTheLast) {
  auto f = CommandFlags::Parse({"a", "b", "--db", "one.db", "--db", "two.db"}, ApproveSpec());
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->GetOr("db", ""), "two.db");
}

TEST(CommandFlagsTest, BadUsageIsRefusedWithAMessage) {
  auto unknown = CommandFlags::Parse({"a", "b", "--frobnicate"}, ApproveSpec());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("--frobnicate"));

  auto missing = CommandFlags::Parse({"a"}, ApproveSpec());
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("STEP"));

  auto extra = CommandFlags::Parse({"a", "b", "c"}, ApproveSpec());
  ASSERT_FALSE(extra.ok());
  EXPECT_THAT(extra.status().message(), HasSubstr("c"));

  auto no_value = CommandFlags::Parse({"a", "b", "--comment"}, ApproveSpec());
  ASSERT_FALSE(no_value.ok());
  EXPECT_THAT(no_value.status().message(), HasSubstr("--comment"));

  auto switch_value = CommandFlags::Parse({"a", "b", "--json=yes"}, ApproveSpec());
  EXPECT_FALSE(switch_value.ok());
}

TEST(CommandFlagsTest, HelpSkipsEveryOtherCheck) {
  auto f = CommandFlags::Parse({"--help"}, ApproveSpec());
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->help_requested());
  auto h = CommandFlags::Parse({"a", "-h", "--frobnicate"}, ApproveSpec());
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_TRUE(h->help_requested());
}

TEST(CommandFlagsTest, ManyPositionalsTakeTheRest) {
  CommandSpec spec("validate");
  spec.Positionals("FILE.yaml", "the definitions").Switch("quiet", "");
  auto f = CommandFlags::Parse({"a.yaml", "--quiet", "b.yaml", "c.yaml"}, spec);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_THAT(f->positional(), ElementsAre("a.yaml", "b.yaml", "c.yaml"));
  EXPECT_FALSE(CommandFlags::Parse({"--quiet"}, spec).ok());  // at least one
}

TEST(CommandFlagsTest, UsageAndSynopsisComeFromTheSpec) {
  CommandSpec spec = ApproveSpec();
  EXPECT_EQ(spec.Synopsis().substr(0, 46), "approve ID STEP [--comment TEXT] [--json] [--c");
  std::string usage = spec.Usage();
  EXPECT_THAT(usage, HasSubstr("steadfast approve"));
  EXPECT_THAT(usage, HasSubstr("approves a held approval"));
  EXPECT_THAT(usage, HasSubstr("--comment TEXT"));
  EXPECT_THAT(usage, HasSubstr("recorded with the decision"));
  EXPECT_THAT(usage, HasSubstr("--db PATH"));
}

TEST(CommandFlagsTest, VerbsThatParseThemselvesKeepTheirRules) {
  auto f = CommandFlags::Parse({"quote", "--reservation", "@r.json", "--json", "x"}, {"reservation"}, {"json"});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_THAT(f->positional(), ElementsAre("quote", "x"));
  EXPECT_EQ(f->GetOr("reservation", ""), "@r.json");
  EXPECT_TRUE(f->Has("json"));
  auto unknown = CommandFlags::Parse({"quote", "--policy", "p"}, {"reservation"}, {"json"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("--policy"));
  auto number = CommandFlags::Parse({"--top", "x7"}, {"top"}, {});
  ASSERT_TRUE(number.ok());
  EXPECT_FALSE(number->GetInt("top", 10).ok());
  EXPECT_EQ(*number->GetInt("missing", 10), 10);
}

}  // namespace
}  // namespace steadfast
