// Declaring what a verb accepts (steadfast/command_spec.h).
#include "steadfast/command_spec.h"

#include "core/spec_app.h"

namespace steadfast {

CommandSpec& CommandSpec::Summary(std::string text) {
  summary_ = std::move(text);
  return *this;
}

CommandSpec& CommandSpec::Details(std::string text) {
  details_ = std::move(text);
  return *this;
}

CommandSpec& CommandSpec::Add(CommandArg arg) {
  args_.push_back(std::move(arg));
  return *this;
}

CommandSpec& CommandSpec::Positional(std::string name, std::string help) {
  return Add({CommandArg::Kind::kPositional, std::move(name), "", std::move(help), true, false});
}

CommandSpec& CommandSpec::OptionalPositional(std::string name, std::string help) {
  return Add({CommandArg::Kind::kPositional, std::move(name), "", std::move(help), false, false});
}

CommandSpec& CommandSpec::Positionals(std::string name, std::string help, bool at_least_one) {
  return Add({CommandArg::Kind::kPositional, std::move(name), "", std::move(help), at_least_one, true});
}

CommandSpec& CommandSpec::Option(std::string name, std::string value_name, std::string help) {
  return Add({CommandArg::Kind::kOption, std::move(name), std::move(value_name), std::move(help), false, false});
}

CommandSpec& CommandSpec::Switch(std::string name, std::string help) {
  return Add({CommandArg::Kind::kSwitch, std::move(name), "", std::move(help), false, false});
}

CommandSpec& CommandSpec::Json() { return Switch("json", "print JSON instead of text"); }

CommandSpec& CommandSpec::StoreOptions() {
  Option("config", "FILE", "engine config (default config/steadfast.yaml when it exists)");
  Option("db", "PATH", "the SQLite database (overrides the config)");
  Option("workflows", "DIR", "the workflows directory (overrides the config)");
  return Option("sync", "full|normal|off", "SQLite synchronous mode (overrides the config)");
}

const CommandArg* CommandSpec::FindOption(const std::string& name) const {
  for (const CommandArg& arg : args_) {
    if (arg.kind != CommandArg::Kind::kPositional && arg.name == name) return &arg;
  }
  return nullptr;
}

std::string CommandSpec::Synopsis() const {
  std::string out = verb_;
  for (const CommandArg& arg : args_) {
    if (arg.kind != CommandArg::Kind::kPositional) continue;
    std::string text = arg.name + (arg.many ? "..." : "");
    out += " " + (arg.required ? text : "[" + text + "]");
  }
  for (const CommandArg& arg : args_) {
    if (arg.kind == CommandArg::Kind::kOption) out += " [--" + arg.name + " " + arg.value_name + "]";
    if (arg.kind == CommandArg::Kind::kSwitch) out += " [--" + arg.name + "]";
  }
  return out;
}

std::string CommandSpec::Usage() const { return SpecApp(*this).Help(); }

}  // namespace steadfast
