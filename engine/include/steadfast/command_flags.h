// Command-line flags for `steadfast` verbs, the CLI's own and those plugins
// add (steadfast/commands.h): positional arguments plus --name value /
// --name=value options and boolean --switches, checked against what a verb
// accepts, so every verb parses its arguments the same way.
#ifndef STEADFAST_COMMAND_FLAGS_H_
#define STEADFAST_COMMAND_FLAGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "steadfast/status.h"

namespace steadfast {

class CommandFlags {
 public:
  // valued: options that take a value; switches: boolean options. Anything
  // else starting with "--" is InvalidArgument ("unknown option --x").
  static Result<CommandFlags> Parse(const std::vector<std::string>& args, const std::set<std::string>& valued,
                                    const std::set<std::string>& switches);

  const std::vector<std::string>& positional() const { return positional_; }
  std::optional<std::string> Get(const std::string& name) const;
  std::string GetOr(const std::string& name, const std::string& fallback) const;
  bool Has(const std::string& name) const;
  // Integer option; InvalidArgument naming the flag when not a number.
  Result<int64_t> GetInt(const std::string& name, int64_t fallback) const;

 private:
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
