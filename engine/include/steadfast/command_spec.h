// What a `steadfast` verb accepts, declared once: its positional arguments,
// its --options and --switches, and a line of help for each. The CLI builds
// the verb's parser (CLI11) and its `steadfast VERB --help` page from this,
// and hands the verb the parsed CommandFlags (steadfast/command_flags.h).
//
// Every verb, the CLI's own and a plugin's, is the same two functions:
//
//   // Declare: what the verb takes.
//   void DeclareGreet(steadfast::CommandSpec& spec) {
//     spec.Summary("says hello")
//         .Positional("NAME", "who to greet")
//         .Option("config", "FILE", "engine config")
//         .Json();
//   }
//   // Run: what it does with it; returns the exit code (steadfast/commands.h).
//   int RunGreet(const steadfast::CommandFlags& flags, ...) {
//     const std::string& name = flags.positional()[0];  // present: it is required
//     bool json = flags.Has("json");
//     ...
//   }
//
// The CLI refuses, with exit 2 and a message naming the problem, an unknown
// option, a missing required positional, a missing value and extra
// arguments, before Run is called. docs/cli.md, "Adding a verb".
#ifndef STEADFAST_COMMAND_SPEC_H_
#define STEADFAST_COMMAND_SPEC_H_

#include <string>
#include <vector>

namespace steadfast {

// One thing a verb accepts.
struct CommandArg {
  enum class Kind { kPositional, kOption, kSwitch };
  Kind kind = Kind::kOption;
  std::string name;        // positional: its placeholder ("ID"); option/switch: without dashes ("db")
  std::string value_name;  // option: the value's placeholder ("PATH")
  std::string help;        // one line
  bool required = false;   // positional: must be given
  bool many = false;       // positional: takes every remaining argument (FILE...)
};

class CommandSpec {
 public:
  CommandSpec() = default;
  explicit CommandSpec(std::string verb) : verb_(std::move(verb)) {}

  // One line for `steadfast --help`.
  CommandSpec& Summary(std::string text);
  // Paragraphs at the end of `steadfast VERB --help` (examples, exit codes).
  CommandSpec& Details(std::string text);

  // Positionals are taken in the order declared; at most one `many`, last.
  CommandSpec& Positional(std::string name, std::string help);          // required
  CommandSpec& OptionalPositional(std::string name, std::string help);  // may be left out
  CommandSpec& Positionals(std::string name, std::string help, bool at_least_one = true);  // NAME...
  // --name VALUE (or --name=VALUE); given twice, the last wins.
  CommandSpec& Option(std::string name, std::string value_name, std::string help);
  // --name, no value.
  CommandSpec& Switch(std::string name, std::string help);
  // --json: print JSON instead of text.
  CommandSpec& Json();
  // --config, --db, --workflows, --sync: the options of every verb that
  // opens the engine's store (CommonCommandFlags()).
  CommandSpec& StoreOptions();

  const std::string& verb() const { return verb_; }
  const std::string& summary() const { return summary_; }
  const std::string& details() const { return details_; }
  const std::vector<CommandArg>& args() const { return args_; }
  // The declared option or switch named `name`, or null.
  const CommandArg* FindOption(const std::string& name) const;

  // One line: "VERB ID [--db PATH] [--json]", positionals first.
  std::string Synopsis() const;
  // The `steadfast VERB --help` page.
  std::string Usage() const;

 private:
  CommandSpec& Add(CommandArg arg);

  std::string verb_;
  std::string summary_;
  std::string details_;
  std::vector<CommandArg> args_;
};

}  // namespace steadfast

#endif  // STEADFAST_COMMAND_SPEC_H_
