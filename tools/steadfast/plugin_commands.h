// Plugin verbs: `steadfast <verb>` for every verb a plugin adds through
// STEADFAST_PLUGIN_COMMANDS (steadfast/commands.h): the built-in plugins,
// and the .so plugins of the engine config the verb's arguments name
// (--config, else config/steadfast.yaml). The CLI knows them only through
// the built-in plugin list and the config, never by name.
#ifndef STEADFAST_TOOLS_PLUGIN_COMMANDS_H_
#define STEADFAST_TOOLS_PLUGIN_COMMANDS_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace steadfast::cli {

// Runs the plugin verb `verb` with `args`; nullopt when no plugin has it.
// reserved: the CLI's own verbs, which no plugin may take.
std::optional<int> RunPluginCommand(const std::string& verb, const std::vector<std::string>& args,
                                    const std::set<std::string>& reserved);

// The plugin verbs for `steadfast help`: a section per plugin, titled with
// its name, listing each declared verb's summary or each other verb's usage
// lines. args: the command line, for the engine config it names.
std::string PluginCommandsHelp(const std::set<std::string>& reserved, const std::vector<std::string>& args);

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_PLUGIN_COMMANDS_H_
