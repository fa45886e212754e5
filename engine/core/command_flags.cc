// Flag parsing for `steadfast` verbs (steadfast/command_flags.h) and the
// CommandFail helper of steadfast/commands.h.
#include "steadfast/command_flags.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "steadfast/commands.h"

namespace steadfast {

Result<CommandFlags> CommandFlags::Parse(const std::vector<std::string>& args, const std::set<std::string>& valued,
                           const std::set<std::string>& switches) {
  CommandFlags f;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      f.positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> value;
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (switches.count(name)) {
      if (value) return Status::InvalidArgument("--" + name + " takes no value");
      f.switches_.insert(name);
    } else if (valued.count(name)) {
      if (!value) {
        if (i + 1 >= args.size()) return Status::InvalidArgument("--" + name + " needs a value");
        value = args[++i];
      }
      f.values_[name] = *value;
    } else {
      return Status::InvalidArgument("unknown option --" + name);
    }
  }
  return f;
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
