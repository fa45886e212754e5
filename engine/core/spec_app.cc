// CommandSpec -> CLI::App, and CLI11's results back to plain strings.
#include "core/spec_app.h"

#include <algorithm>

namespace steadfast {

SpecApp::SpecApp(const CommandSpec& spec) : spec_(spec), app_(spec.summary(), "steadfast " + spec.verb()) {
  if (!spec.details().empty()) app_.footer("\n" + spec.details());
  for (const CommandArg& arg : spec.args()) {
    Bound& b = bound_.emplace_back(Bound{&arg, nullptr, {}, {}});
    switch (arg.kind) {
      case CommandArg::Kind::kPositional:
        if (arg.many) {
          b.option = app_.add_option(arg.name, b.many, arg.help);
          b.option->expected(arg.required ? 1 : 0, -1);
        } else {
          b.option = app_.add_option(arg.name, b.value, arg.help);
        }
        b.option->type_name("");
        if (arg.required) b.option->required();
        break;
      case CommandArg::Kind::kOption:
        b.option = app_.add_option("--" + arg.name, b.value, arg.help);
        b.option->type_name(arg.value_name);
        b.option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
        break;
      case CommandArg::Kind::kSwitch:
        b.option = app_.add_flag("--" + arg.name, arg.help);
        b.option->disable_flag_override();  // --json=yes is a mistake, not a value
        break;
    }
  }
}

Result<bool> SpecApp::Parse(const std::vector<std::string>& args) {
  // CLI11 takes the arguments last-first.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app_.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    return true;
  } catch (const CLI::ParseError& e) {
    return Status::InvalidArgument(e.what());
  }
  positional_.clear();
  values_.clear();
  switches_.clear();
  for (const Bound& b : bound_) {
    if (b.option->count() == 0) continue;
    switch (b.arg->kind) {
      case CommandArg::Kind::kPositional:
        if (b.arg->many) {
          positional_.insert(positional_.end(), b.many.begin(), b.many.end());
        } else {
          positional_.push_back(b.value);
        }
        break;
      case CommandArg::Kind::kOption:
        values_[b.arg->name] = b.value;
        break;
      case CommandArg::Kind::kSwitch:
        switches_.insert(b.arg->name);
        break;
    }
  }
  return false;
}

std::string SpecApp::Help() const { return app_.help(); }

}  // namespace steadfast
