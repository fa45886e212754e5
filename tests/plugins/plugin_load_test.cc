// A plugin that cannot be loaded stops the engine with a message naming the
// file and the cause. Each broken plugin (tests/plugins/broken/) is listed in
// an engine config and `steadfast activities` (which loads the config's
// plugins as `serve` does) must exit 3 with that message; the example plugin
// is the control that loads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "steadfast/registry.h"
#include "subprocess.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunResult;
using testing::TempDir;

class PluginLoadTest : public ::testing::Test {
 protected:
  // Runs `steadfast activities` with an engine config listing `plugin`.
  RunResult Activities(const std::string& plugin, const std::string& plugin_config = "{}") {
    const std::string config = dir_.File("steadfast.yaml");
    testing::WriteFile(config, "database: " + dir_.File("engine.db") + "\nplugins: [" + plugin +
                                   "]\nplugin_config: " + plugin_config + "\n");
    return testing::RunCommand({STEADFAST_BIN, "activities", "--config", config});
  }

  TempDir dir_;
};

TEST_F(PluginLoadTest, TheExamplePluginLoads) {
  RunResult r = Activities(STEADFAST_GREETING_PLUGIN, "{ greeting: { outbox_dir: " + dir_.File("outbox") + " } }");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("greeting.compose"));
  EXPECT_THAT(r.output, HasSubstr("greeting.deliver"));
}

// A bare file name in `plugins` is a file beside the config, never a search
// of the library path (where dlopen would look for a name without a slash).
TEST_F(PluginLoadTest, ABareNameIsAFileNotALibrarySearch) {
  std::filesystem::copy_file(STEADFAST_GREETING_PLUGIN, dir_.File("libgreeting.so"));
  testing::WriteFile(dir_.File("steadfast.yaml"), "database: engine.db\nplugins: [libgreeting.so]\n"
                                                  "plugin_config: { greeting: { outbox_dir: outbox } }\n");
  RunResult r = testing::RunCommand(
      {"/bin/sh", "-c", "cd '" + dir_.path() + "' && '" STEADFAST_BIN "' activities --config steadfast.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("greeting.deliver"));
}

TEST_F(PluginLoadTest, AMissingFileIsNamed) {
  const std::string missing = dir_.File("libnot_there.so");
  RunResult r = Activities(missing);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cannot load plugin " + missing + ": no such file"));
}

TEST_F(PluginLoadTest, AFileThatIsNotASharedObjectGetsTheLoadersReason) {
  const std::string text = dir_.File("libtext.so");
  testing::WriteFile(text, std::string(200, 'x'));  // long enough to have its header read
  RunResult r = Activities(text);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  // The loader's reason, without the path it repeats.
  EXPECT_THAT(r.output, HasSubstr("cannot load plugin " + text + ": invalid ELF header"));
}

TEST_F(PluginLoadTest, AnUndefinedSymbolIsNamedDemangled) {
  RunResult r = Activities(STEADFAST_MISSING_SYMBOL_PLUGIN);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cannot load plugin " STEADFAST_MISSING_SYMBOL_PLUGIN
                                  ": it needs the symbol steadfast::FunctionThisEngineDoesNotHave(int)"));
  EXPECT_THAT(r.output, HasSubstr("another Steadfast version's headers"));
}

TEST_F(PluginLoadTest, ALibraryWithoutTheEntryPointIsNotAPlugin) {
  RunResult r = Activities(STEADFAST_NO_ENTRY_POINT_PLUGIN);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("plugin " STEADFAST_NO_ENTRY_POINT_PLUGIN
                                  " is not a Steadfast plugin: it does not export steadfast_plugin_abi_version "
                                  "and steadfast_plugin_init"));
  EXPECT_THAT(r.output, HasSubstr("STEADFAST_PLUGIN(ctx, registry)"));
}

TEST_F(PluginLoadTest, AnotherAbiVersionIsRefusedBeforeInitRuns) {
  RunResult r = Activities(STEADFAST_ABI_MISMATCH_PLUGIN);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("plugin " STEADFAST_ABI_MISMATCH_PLUGIN
                                  " was built for plugin ABI version -1, but this steadfast binary speaks version " +
                                  std::to_string(kPluginAbiVersion)));
  EXPECT_THAT(r.output, Not(HasSubstr("abi_mismatch.never")));
}

TEST_F(PluginLoadTest, AnInitErrorKeepsThePluginsCodeAndMessage) {
  RunResult r = Activities(STEADFAST_INIT_ERROR_PLUGIN);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("plugin " STEADFAST_INIT_ERROR_PLUGIN
                                  ": its init failed: invalid_argument: "
                                  "plugin_config.init_error_plugin.api_url is required"));
  // The same plugin with its setting loads: the message came from the check.
  RunResult ok = Activities(STEADFAST_INIT_ERROR_PLUGIN, "{ init_error_plugin: { api_url: http://127.0.0.1:1 } }");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

TEST_F(PluginLoadTest, AnInitThatThrowsIsAnErrorNotACrash) {
  RunResult r = Activities(STEADFAST_INIT_THROWS_PLUGIN);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr("plugin " STEADFAST_INIT_THROWS_PLUGIN ": its init threw: cannot parse the rules file"));
}

}  // namespace
}  // namespace steadfast
