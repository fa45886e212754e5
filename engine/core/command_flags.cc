// A verb's parsed command line (steadfast/command_flags.h), parsed by CLI11
// (core/spec_app.h), and the CommandFail helper of steadfast/commands.h.
#include "steadfast/command_flags.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/spec_app.h"
#include "steadfast/commands.h"

namespace steadfast {

Result<CommandFlags> CommandFlags::Parse(const std::vector<std::string>& args, const CommandSpec& spec) {
  SpecApp app(spec);
  SF_ASSIGN_OR_RETURN(bool help, app.Parse(args));
  CommandFlags f;
  f.help_requested_ = help;
  if (!help) {
    f.positional_ = app.positional();
    f.values_ = app.values();
    f.switches_ = app.switches();
  }
  return f;
}

Result<CommandFlags> CommandFlags::Parse(const std::vector<std::string>& args, const std::set<std::string>& valued,
                                         const std::set<std::string>& switches) {
  CommandSpec spec;
  spec.Positionals("ARGS", "", false);
  for (const std::string& name : valued) spec.Option(name, "VALUE", "");
  for (const std::string& name : switches) spec.Switch(name, "");
  return Parse(args, spec);
}

std::optional<std::string> CommandFlags::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string CommandFlags::GetOr(const std::string& name, const std::string& fallback) const {
  auto v = Get(name);
  return v ? *v : fallback;
}

bool CommandFlags::Has(const std::string& name) const { return switches_.count(name) != 0 || values_.count(name) != 0; }

Result<int64_t> CommandFlags::GetInt(const std::string& name, int64_t fallback) const {
  auto v = Get(name);
  if (!v) return fallback;
  try {
    size_t used = 0;
    long long n = std::stoll(*v, &used);
    if (used != v->size()) throw std::invalid_argument("trailing");
    return static_cast<int64_t>(n);
  } catch (...) {
    return Status::InvalidArgument("--" + name + " must be an integer, not '" + *v + "'");
  }
}

std::set<std::string> CommonCommandFlags() { return {"config", "db", "workflows", "sync"}; }

int CommandFail(int code, const std::string& message) {
  std::fprintf(stderr, "steadfast: %s\n", message.c_str());
  return code;
}

Result<std::string> ReadArgOrFile(const std::string& arg) {
  if (arg.empty() || arg[0] != '@') return arg;
  std::ifstream in(arg.substr(1), std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read " + arg.substr(1));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace steadfast
