// A CommandSpec (steadfast/command_spec.h) as a CLI11 parser: the one place
// the engine's verbs meet CLI11, so the public headers never include it.
#ifndef STEADFAST_CORE_SPEC_APP_H_
#define STEADFAST_CORE_SPEC_APP_H_

#include <CLI/CLI.hpp>

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "steadfast/command_spec.h"
#include "steadfast/status.h"

namespace steadfast {

class SpecApp {
 public:
  explicit SpecApp(const CommandSpec& spec);
  SpecApp(const SpecApp&) = delete;
  SpecApp& operator=(const SpecApp&) = delete;

  // InvalidArgument with CLI11's message when args do not fit the spec.
  // true when --help / -h was given (then nothing else is checked).
  Result<bool> Parse(const std::vector<std::string>& args);
  // Valid after a successful Parse.
  const std::vector<std::string>& positional() const { return positional_; }
  const std::map<std::string, std::string>& values() const { return values_; }
  const std::set<std::string>& switches() const { return switches_; }

  // The `steadfast VERB --help` page.
  std::string Help() const;

 private:
  struct Bound {
    const CommandArg* arg;
    CLI::Option* option;
    std::string value;               // option, single positional
    std::vector<std::string> many;   // many positional
  };

  const CommandSpec& spec_;
  CLI::App app_;
  std::deque<Bound> bound_;  // stable addresses: CLI11 writes into them
  std::vector<std::string> positional_;
  std::map<std::string, std::string> values_;
  std::set<std::string> switches_;
};

}  // namespace steadfast

#endif  // STEADFAST_CORE_SPEC_APP_H_
