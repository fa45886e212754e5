// Plugin-provided CLI verbs: `steadfast <verb> ...` for verbs a plugin adds.
//
// A plugin declares its verbs with STEADFAST_PLUGIN_COMMANDS (below), a
// second entry point beside STEADFAST_PLUGIN. It runs without any
// configuration: the CLI calls it to learn the verbs (for dispatch and for
// `steadfast help`, which lists each with its plugin's name), and a verb
// loads what it needs when it runs, through its CommandHost, from the flags
// it was given. The CLI dispatches every verb it does not know itself to
// the plugin that added it; the CLI's own verbs cannot be taken.
//
// A verb returns the process exit code; the common ones are below (a verb
// may add its own, e.g. `reconcile` exits 4 on drift). Errors go to stderr
// as "steadfast: <message>" (CommandFail).
#ifndef STEADFAST_COMMANDS_H_
#define STEADFAST_COMMANDS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "steadfast/clock.h"
#include "steadfast/command_flags.h"
#include "steadfast/history.h"
#include "steadfast/http_transport.h"
#include "steadfast/registry.h"
#include "steadfast/status.h"
#include "steadfast/storage.h"

namespace steadfast {

inline constexpr int kCommandOk = 0;
inline constexpr int kCommandFailed = 1;  // the thing checked failed / problems found / refused
inline constexpr int kCommandUsage = 2;   // bad flags or input
inline constexpr int kCommandError = 3;   // could not do it (store, config, network)

// Where verbs look for the engine config when --config is not given (they
// use it only when the file exists).
inline constexpr char kDefaultEngineConfigPath[] = "config/steadfast.yaml";

// Prints "steadfast: <message>" to stderr and returns code.
int CommandFail(int code, const std::string& message);

// A workflow instance as listed by a WorkflowReader.
struct WorkflowSummary {
  std::string id;
  std::string workflow_name;
  std::string status;  // "running", "waiting_signal", "completed", "failed", ... (docs/history.md)
  bool finished = false;  // in a terminal status: its history no longer grows
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

// Read-only access to the workflows of a database, for verbs that report on
// them (CommandHost::OpenWorkflows) and activities (PluginContext::workflows).
// The engine's readers are thread-safe.
class WorkflowReader {
 public:
  virtual ~WorkflowReader() = default;
  // Up to `limit` instances in creation order, those after the instance
  // `after_id` (the last id of the previous page; "" = from the first).
  virtual Result<std::vector<WorkflowSummary>> List(const std::string& after_id, int limit) = 0;
  // The instance's whole history, oldest first; NotFound for an unknown id.
  virtual Result<std::vector<HistoryEvent>> History(const std::string& workflow_id) = 0;
};

// What the CLI offers a running verb.
class CommandHost {
 public:
  virtual ~CommandHost() = default;
  // This plugin's context as its init would get it from the engine config
  // at config_path: its plugin_config section, config_dir, logger, http
  // ("" = no config file: every setting at its default). metrics, events,
  // schemas and storage are null: a verb runs no workflows, and opens its
  // tables with OpenPluginStorage. Errors name the file and the problem.
  virtual Result<PluginContext> LoadPluginContext(const std::string& config_path) = 0;
  // The engine database the engine config at config_path names.
  virtual Result<std::string> EngineDatabase(const std::string& config_path) = 0;
  // The workflows in the engine database at database_path, which must exist.
  virtual Result<std::unique_ptr<WorkflowReader>> OpenWorkflows(const std::string& database_path) = 0;
  // The plugin's tables (steadfast/storage.h) in the engine database at
  // database_path, which must exist (NotFound "no database at ..."): the
  // engine's store opened as `serve` opens it, `schema`'s pending
  // migrations applied. The handle owns that store; drop it when done.
  virtual Result<std::unique_ptr<PluginStorage>> OpenPluginStorage(const std::string& database_path,
                                                                   const PluginSchema& schema) = 0;
  // The engine's HTTP transport (one connection per exchange).
  virtual HttpTransport& http() = 0;
  virtual const Clock& clock() = 0;
  // Who runs the verb: "cli:$USER".
  virtual std::string principal() = 0;
};

// Runs a declared verb (AddVerb) with its parsed command line.
using CommandRunFn = std::function<int(const CommandFlags& flags, CommandHost& host)>;
// Runs a verb registered with Add: args are what follows the verb on the
// command line, parsed by the verb itself (CommandFlags::Parse).
using CommandFn = std::function<int(const std::vector<std::string>& args, CommandHost& host)>;

class CommandRegistry {
 public:
  virtual ~CommandRegistry() = default;
  // For verbs with sub-verbs of their own (`refund quote ...`) that parse
  // their arguments themselves: usage is the lines `steadfast help` and
  // `steadfast VERB --help` show, each starting with the verb. The verb: one
  // word of lower-case letters, digits and '-'. InvalidArgument for a bad
  // verb, AlreadyExists when the CLI or another plugin has it.
  virtual Status Add(std::string verb, std::string usage, CommandFn fn) = 0;
  // The way to add a verb: spec says what it takes (steadfast/command_spec.h;
  // spec.verb() names it, spec.Summary() is its line in `steadfast help`),
  // run what it does. The CLI parses the arguments against spec with CLI11
  // before run is called: `steadfast VERB --help` prints the page built from
  // spec, bad usage exits 2 with a message. Errors as for Add.
  virtual Status AddVerb(CommandSpec spec, CommandRunFn run) = 0;
};

using PluginCommandsFn = Status (*)(CommandRegistry& commands);

}  // namespace steadfast

// Defines the plugin's commands entry point (optional; next to STEADFAST_PLUGIN).
#if defined(STEADFAST_BUILTIN_PLUGIN)
#define STEADFAST_PLUGIN_COMMANDS(commands_name)                                                      \
  static ::steadfast::Status SteadfastPluginCommands(::steadfast::CommandRegistry&);                 \
  ::steadfast::PluginCommandsFn STEADFAST_PLUGIN_CAT_(steadfast_builtin_commands_,                    \
                                                      STEADFAST_BUILTIN_PLUGIN)() {                   \
    return &SteadfastPluginCommands;                                                                  \
  }                                                                                                   \
  static ::steadfast::Status SteadfastPluginCommands(::steadfast::CommandRegistry& commands_name)
#else
#define STEADFAST_PLUGIN_COMMANDS(commands_name)                                                      \
  static ::steadfast::Status SteadfastPluginCommands(::steadfast::CommandRegistry&);                 \
  extern "C" ::steadfast::PluginCommandsFn steadfast_plugin_commands() { return &SteadfastPluginCommands; } \
  static ::steadfast::Status SteadfastPluginCommands(::steadfast::CommandRegistry& commands_name)
#endif

#endif  // STEADFAST_COMMANDS_H_
