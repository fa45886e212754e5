// The CLI's usage as a user meets it (docs/cli.md): `steadfast --help`,
// `steadfast VERB --help` for every verb, and bad usage refused with exit 2
// and a message before anything runs.
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "subprocess.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;
using testing::RunCommand;
using testing::RunResult;

class CliUsage : public ::testing::Test {
 protected:
  RunResult Steadfast(const std::string& args) {
    return RunCommand({"/bin/sh", "-c", "cd '" + dir_.path() + "' && exec '" STEADFAST_BIN "' " + args});
  }
  testing::TempDir dir_;
};

TEST_F(CliUsage, HelpListsEveryVerbWithItsSummaryAndTheExitCodes) {
  RunResult r = Steadfast("--help");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Run and serve\n"));
  EXPECT_THAT(r.output, HasSubstr("\n  serve        runs the engine"));
  EXPECT_THAT(r.output, HasSubstr("\n  status       status, current step"));
  EXPECT_THAT(r.output, HasSubstr("From the refund plugin\n"));
  EXPECT_THAT(r.output, HasSubstr("Exit codes: 0 ok"));
  EXPECT_EQ(Steadfast("help").output, r.output);
  EXPECT_EQ(Steadfast("-h").output, r.output);
  // No verb at all is bad usage: the same list, exit 2.
  RunResult none = Steadfast("");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.output, HasSubstr("Run and serve\n"));
}

TEST_F(CliUsage, EveryVerbPrintsItsUsageOnHelp) {
  for (const char* verb : {"run", "serve", "deploy", "validate", "graph", "activities", "migrate", "bench", "bench-api",
                           "token", "start", "status", "history", "list", "approve", "reject", "signal", "cancel",
                           "pause", "resume", "retry", "schedules", "schedule", "bulk", "bench-search", "hold",
                           "release", "holds", "purge"}) {
    RunResult r = Steadfast(std::string(verb) + " --help");
    EXPECT_EQ(r.exit_code, 0) << verb << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr(std::string("steadfast ") + verb)) << verb;
    EXPECT_THAT(r.output, HasSubstr("--help")) << verb;
  }
  RunResult status = Steadfast("status --help");
  EXPECT_THAT(status.output, HasSubstr("ID"));
  EXPECT_THAT(status.output, HasSubstr("--json"));
  EXPECT_THAT(status.output, HasSubstr("--server URL"));
  EXPECT_EQ(Steadfast("help status").output, status.output);
}

TEST_F(CliUsage, BadUsageExitsTwoNamingTheProblemAndTheVerbsSynopsis) {
  RunResult missing = Steadfast("status --db x.db");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_THAT(missing.output, HasSubstr("ID is required"));
  EXPECT_THAT(missing.output, HasSubstr("usage: steadfast status ID [--json]"));
  EXPECT_THAT(missing.output, HasSubstr("'steadfast status --help'"));

  RunResult unknown = Steadfast("list --colour --db x.db");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_THAT(unknown.output, HasSubstr("--colour"));

  RunResult extra = Steadfast("cancel a b --db x.db");
  EXPECT_EQ(extra.exit_code, 2) << extra.output;

  RunResult no_value = Steadfast("list --limit");
  EXPECT_EQ(no_value.exit_code, 2) << no_value.output;
  EXPECT_THAT(no_value.output, HasSubstr("--limit"));

  RunResult verb = Steadfast("frobnicate");
  EXPECT_EQ(verb.exit_code, 2) << verb.output;
  EXPECT_THAT(verb.output, HasSubstr("unknown command 'frobnicate'"));
  // Nothing was opened or created for any of them.
  EXPECT_FALSE(std::filesystem::exists(dir_.File("x.db")));
}

}  // namespace
}  // namespace steadfast
