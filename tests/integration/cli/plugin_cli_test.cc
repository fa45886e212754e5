// Plugins as the CLI user meets them (docs/plugins.md, "Built-in plugins",
// "CLI verbs"): the real binary, run in a directory with no engine config
// and no refund policy file, as outside the checkout.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "subprocess.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunCommand;
using testing::RunResult;

const std::string kSource = STEADFAST_SOURCE_ROOT;

class PluginCli : public ::testing::Test {
 protected:
  // `steadfast args...` with the working directory dir_.
  RunResult Steadfast(const std::string& args) {
    return RunCommand({"/bin/sh", "-c", "cd '" + dir_.path() + "' && exec '" STEADFAST_BIN "' " + args});
  }
  testing::TempDir dir_;
};

TEST_F(PluginCli, ValidateKnowsBuiltinPluginActivitiesWithoutAnyConfig) {
  RunResult r = Steadfast("validate '" + kSource + "/workflows/reservation_refund.yaml' '" + kSource +
                          "/workflows/return_refund.yaml' '" + kSource + "/workflows/marketplace_cancellation.yaml'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("reservation_refund.yaml: ok"));
  EXPECT_THAT(r.output, Not(HasSubstr("unknown activity")));
}

TEST_F(PluginCli, AnActivityOfAPluginNotLoadedNamesThePluginAndHowToLoadIt) {
  testing::WriteFile(dir_.File("ship.yaml"), "name: ship\nsteps:\n  - id: label\n    activity: shipping.create_label\n");
  RunResult r = Steadfast("validate ship.yaml");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("ship.yaml:4:15: unknown activity 'shipping.create_label': no plugin 'shipping' "
                                  "is loaded \u2014 add its .so under plugins: in the engine config (docs/plugins.md)"));
}

TEST_F(PluginCli, AnUnknownActivityOfALoadedPluginKeepsTheSuggestion) {
  testing::WriteFile(dir_.File("typo.yaml"), "name: typo\nsteps:\n  - id: pay\n    activity: refund.psp_refnd\n");
  RunResult r = Steadfast("validate typo.yaml");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("unknown activity 'refund.psp_refnd' (did you mean 'refund.psp_refund'?)"));
  EXPECT_THAT(r.output, Not(HasSubstr("no plugin")));
}

TEST_F(PluginCli, AnUnconfiguredPluginActivityFailsSayingWhatIsMissing) {
  testing::WriteFile(dir_.File("check.yaml"),
                     "name: check\nsteps:\n  - id: eligible\n    activity: refund.check_eligibility\n"
                     "    retry: { max_attempts: 5 }\n");
  RunResult r = Steadfast("run check.yaml --input '{}' --db run.db");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("refund_not_configured"));
  EXPECT_THAT(r.output, HasSubstr("no plugin_config.refund"));
}

TEST_F(PluginCli, HelpListsPluginVerbsUnderThePluginName) {
  RunResult r = Steadfast("help");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("From the refund plugin\n"));
  EXPECT_THAT(r.output, HasSubstr("\n  refund quote --reservation"));
  EXPECT_THAT(r.output, HasSubstr("\n  reconcile [--db PATH]"));
}

TEST_F(PluginCli, PluginVerbsRunAndKeepTheirOwnUsageErrors) {
  RunResult bogus = Steadfast("refund bogus");
  EXPECT_EQ(bogus.exit_code, 2) << bogus.output;
  EXPECT_THAT(bogus.output, HasSubstr("unknown refund command 'bogus'"));
  RunResult no_db = Steadfast("reconcile");
  EXPECT_EQ(no_db.exit_code, 2) << no_db.output;
  EXPECT_THAT(no_db.output, HasSubstr("--db PATH or --config FILE is required"));
  RunResult unknown = Steadfast("shipping");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_THAT(unknown.output, HasSubstr("unknown command 'shipping'"));
}

TEST_F(PluginCli, ASharedObjectPluginsVerbRunsWithItsConfig) {
  testing::WriteFile(dir_.File("engine.yaml"), "database: engine.db\nplugins: ['" STEADFAST_VERB_PLUGIN
                                                "']\nplugin_config:\n  verb_plugin: { greeting: hi }\n");
  RunResult r = Steadfast("greet --config engine.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "hi from verb_plugin\n");
  RunResult named = Steadfast("greet Ada --config engine.yaml");
  ASSERT_EQ(named.exit_code, 0) << named.output;
  EXPECT_EQ(named.output, "hi to Ada\n");
  // Without the config that lists it, the verb is unknown.
  RunResult without = Steadfast("greet");
  EXPECT_EQ(without.exit_code, 2) << without.output;
  EXPECT_THAT(without.output, HasSubstr("unknown command 'greet'"));
}

TEST_F(PluginCli, APluginsDeclaredVerbHasHelpAndRefusesBadUsage) {
  testing::WriteFile(dir_.File("engine.yaml"), "database: engine.db\nplugins: ['" STEADFAST_VERB_PLUGIN "']\n");
  RunResult help = Steadfast("greet --help --config engine.yaml");
  ASSERT_EQ(help.exit_code, 0) << help.output;
  EXPECT_THAT(help.output, HasSubstr("says hello"));
  EXPECT_THAT(help.output, HasSubstr("--config FILE"));
  EXPECT_THAT(help.output, HasSubstr("who to greet"));
  RunResult bad = Steadfast("greet --loud --config engine.yaml");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_THAT(bad.output, HasSubstr("--loud"));
  EXPECT_THAT(bad.output, HasSubstr("usage: steadfast greet [NAME] [--config FILE]"));
  RunResult list = Steadfast("--help --config engine.yaml");
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_THAT(list.output, HasSubstr("From the verb_plugin plugin\n"));
  EXPECT_THAT(list.output, HasSubstr("  greet        says hello\n"));
}

TEST_F(PluginCli, AVerbThatParsesItselfGetsItsArgumentsAndShowsItsUsageOnHelp) {
  testing::WriteFile(dir_.File("engine.yaml"), "database: engine.db\nplugins: ['" STEADFAST_VERB_PLUGIN "']\n");
  RunResult echo = Steadfast("echo a --upper b --config engine.yaml");
  ASSERT_EQ(echo.exit_code, 0) << echo.output;
  EXPECT_EQ(echo.output, "A\nB\n");
  RunResult bad = Steadfast("echo a --lower --config engine.yaml");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_THAT(bad.output, HasSubstr("--lower"));
  RunResult help = Steadfast("echo --help --config engine.yaml");
  ASSERT_EQ(help.exit_code, 0) << help.output;
  EXPECT_THAT(help.output, HasSubstr("echo WORD... [--upper]"));
  RunResult refund = Steadfast("refund --help");
  ASSERT_EQ(refund.exit_code, 0) << refund.output;
  EXPECT_THAT(refund.output, HasSubstr("refund quote --reservation"));
}

// The real binary quotes a reservation whose check-in is a local hour in the
// property's zone (New York, the hour it repeats) under a policy with a grace
// rule: the derived instant and the rule are printed, and in --json.
TEST_F(PluginCli, RefundQuoteShowsTheDerivedCheckInAndTheGraceRule) {
  {
    std::ofstream(dir_.path() + "/r.json") << R"({"id": "r-ny", "currency": "USD",
      "check_in": {"date": "2026-11-01", "time": "01:30", "time_zone": "America/New_York"},
      "booked_at": "2026-10-01T09:00:00-04:00",
      "lines": {"rental": "612.45", "cleaning_fee": "80.00", "tax": "55.40", "service_fee": "97.77"},
      "units_total": 3})";
  }
  const std::string args = "refund quote --reservation @r.json --policy marketplace_strict --policies '" + kSource +
                           "/config/refund_policies.yaml' --cancel-at 2026-10-03T09:00:01-04:00";
  RunResult r = Steadfast(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("start      2026-11-01T05:30:00Z\n"));
  EXPECT_THAT(r.output, HasSubstr("check-in   2026-11-01 01:30 America/New_York = 2026-11-01T01:30:00-04:00; 01:30 "
                                  "happens twice there (clocks fall back): the earlier\n"));
  EXPECT_THAT(r.output, HasSubstr("booked at  2026-10-01T13:00:00Z  (cancelled 2d1s after booking)\n"));
  EXPECT_THAT(r.output, HasSubstr("grace      grace_48h does not apply: cancelled 2d1s after booking, more than 2d\n"));
  EXPECT_THAT(r.output, HasSubstr("window     half (notice >= 7d)"));
  RunResult json = Steadfast(args + " --json");
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_THAT(json.output, HasSubstr("\"fit\": \"repeated\""));
  EXPECT_THAT(json.output, HasSubstr("\"status\": \"too_late\""));
}

}  // namespace
}  // namespace steadfast
