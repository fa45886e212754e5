// The parsed command line of a `steadfast` verb: its positional arguments,
// the values of its --options and which --switches were given. The CLI
// parses a verb's arguments against its CommandSpec (steadfast/command_spec.h)
// with CLI11 and hands the verb the result; a verb never parses text itself.
#ifndef STEADFAST_COMMAND_FLAGS_H_
#define STEADFAST_COMMAND_FLAGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "steadfast/command_spec.h"
#include "steadfast/status.h"

namespace steadfast {

class CommandFlags {
 public:
  // args (what follows the verb) checked against spec. InvalidArgument with
  // CLI11's message for an unknown option, a missing value or required
  // positional, or too many positionals. When --help / -h is among the
  // arguments nothing else is checked and help_requested() is true.
  static Result<CommandFlags> Parse(const std::vector<std::string>& args, const CommandSpec& spec);
  // For verbs registered without a spec (CommandRegistry::Add with a
  // CommandFn): any number of positionals, `valued` options taking a value,
  // `switches` without one.
  static Result<CommandFlags> Parse(const std::vector<std::string>& args, const std::set<std::string>& valued,
                                    const std::set<std::string>& switches);

  bool help_requested() const { return help_requested_; }
  const std::vector<std::string>& positional() const { return positional_; }
  std::optional<std::string> Get(const std::string& name) const;
  std::string GetOr(const std::string& name, const std::string& fallback) const;
  bool Has(const std::string& name) const;
  // Integer option; InvalidArgument naming the flag when not a number.
  Result<int64_t> GetInt(const std::string& name, int64_t fallback) const;

 private:
  bool help_requested_ = false;
  std::vector<std::string> positional_;
  std::map<std::string, std::string> values_;
  std::set<std::string> switches_;
};

// The options every store-using verb accepts: config, db, workflows, sync.
std::set<std::string> CommonCommandFlags();

// "@path" reads the file; anything else is the text itself.
Result<std::string> ReadArgOrFile(const std::string& arg);

}  // namespace steadfast

#endif  // STEADFAST_COMMAND_FLAGS_H_
