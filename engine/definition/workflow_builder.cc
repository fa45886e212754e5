// First parsing pass: YAML nodes -> WorkflowDef + SourceMap, with
// diagnostics for everything that one node (or one mapping) can show.
#include "definition/workflow_builder.h"

#include <fmt/format.h>

#include <charconv>
#include <climits>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "core/yaml_cpp.h"
#include "definition/duration.h"
#include "definition/input_check.h"
#include "definition/suggest.h"
#include "definition/value_template.h"
#include "schedule/cron_expression.h"
#include "schedule/time_zone.h"

namespace steadfast {
namespace {

const std::vector<std::string> kTopKeys = {"name",     "version",   "description", "input", "defaults",
                                           "deadline", "on_cancel", "output",      "steps",
                                           "schedules", "search",      "priority", "retention"};
const std::vector<std::string> kScheduleKeys = {"name",    "cron",     "every",          "time_zone",
                                                "input",   "overlap",  "catch_up",       "catch_up_limit"};
const std::vector<std::string> kOverlapWords = {"skip", "allow", "cancel_previous"};
const std::vector<std::string> kCatchUpWords = {"skip", "latest", "all"};
const std::vector<std::string> kDefaultsKeys = {"retry", "timeout"};
const std::vector<std::string> kRetryKeys = {"max_attempts", "initial_interval", "backoff",     "max_interval",
                                             "jitter",       "non_retryable",    "on_exhausted"};
const std::vector<std::string> kApprovalKeys = {"when",      "timeout",            "on_timeout",
                                                "on_reject", "required_approvals", "context"};
const std::vector<std::string> kCommonStepKeys = {"id", "when", "next"};
const std::vector<std::string> kActivityStepKeys = {"activity",          "with",       "retry",          "timeout",
                                                    "schedule_to_close", "compensate", "compensate_with"};
const std::vector<std::string> kSignalStepKeys = {"signal", "timeout", "on_timeout", "context"};
const std::vector<std::string> kApprovalStepKeys = {"approval"};
const std::vector<std::string> kSleepStepKeys = {"sleep", "until"};  // one of them: each is a kind word
const std::vector<std::string> kContinueStepKeys = {"continue_as_new"};
const std::vector<std::string> kContinueKeys = {"input", "version"};
const std::vector<std::string> kChildStepKeys = {"workflow",   "version",  "input",
                                                 "compensate", "for_each", "concurrency"};
const std::vector<std::string> kParallelStepKeys = {"parallel"};
const std::vector<std::string> kParallelKeys = {"join", "branches"};
const std::vector<std::string> kBranchKeys = {"id", "workflow", "version", "input", "compensate"};
const std::vector<std::string> kStepKinds = {"activity", "signal",          "approval", "sleep",
                                             "until",    "continue_as_new", "workflow", "parallel"};
const std::vector<std::string> kInputTypes = {"string", "int", "number", "bool", "map", "list", "any"};
const std::vector<std::string> kExhaustedWords = {"fail", "pause", "compensate"};
const std::vector<std::string> kCancelWords = {"compensate", "stop"};
const std::vector<std::string> kReservedIds = {kTargetEnd, kTargetFail, kTargetContinue, "approve", "reject"};

// Templates are copied out of the YAML tree; aliases can make a small file
// expand enormously (or refer to themselves), so conversion is bounded: by
// a node budget, and in depth by the engine's one limit, kMaxValueDepth.
constexpr int kTemplateNodeBudget = 100000;

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  for (const std::string& x : v) {
    if (x == s) return true;
  }
  return false;
}

std::vector<std::string> Union(std::initializer_list<const std::vector<std::string>*> lists) {
  std::vector<std::string> out;
  for (const auto* l : lists) {
    for (const std::string& s : *l) {
      if (!Contains(out, s)) out.push_back(s);
    }
  }
  return out;
}

bool IsLowerName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// Same rule as ActivityRegistry::Register, so a name that passes here can be registered.
bool IsActivityName(std::string_view s) {
  size_t dot = s.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == s.size()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string FormatNumber(double d) { return fmt::format("{}", d); }

// ------------------------------------------------- YAML 1.2 core scalars

// Plain (unquoted) scalars and explicitly typed ones get a type from their
// text; quoted and block scalars are always strings.
bool HasInferredType(const YAML::Node& n) {
  const std::string& tag = n.Tag();
  return tag == "?" || tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
         tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null";
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}
bool IsDec(char c) { return c >= '0' && c <= '9'; }
bool IsOct(char c) { return c >= '0' && c <= '7'; }
bool IsHex(char c) { return IsDec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Integer per the core schema, or nullopt; *out_of_range when it is one but
// does not fit in int64.
std::optional<int64_t> ParseYamlInt(std::string_view s, bool* out_of_range) {
  bool negative = false;
  std::string_view body = s;
  int base = 10;
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o')) {
    base = body[1] == 'x' ? 16 : 8;
    body.remove_prefix(2);
    if (!AllOf(body, base == 16 ? IsHex : IsOct)) return std::nullopt;
  } else {
    if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
      negative = body[0] == '-';
      body.remove_prefix(1);
    }
    if (!AllOf(body, IsDec)) return std::nullopt;
  }
  uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), magnitude, base);
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(INT64_MAX);
  if (ec != std::errc() || ptr != body.data() + body.size() || magnitude > kMaxPositive + (negative ? 1 : 0)) {
    *out_of_range = true;
    return std::nullopt;
  }
  if (negative) return magnitude == kMaxPositive + 1 ? INT64_MIN : -static_cast<int64_t>(magnitude);
  return static_cast<int64_t>(magnitude);
}

// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
std::optional<double> ParseYamlFloat(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t int_digits = 0;
  while (i < s.size() && IsDec(s[i])) ++i, ++int_digits;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDec(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDec(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  std::string_view body = s[0] == '+' ? s.substr(1) : s;
  double d = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), d);
  if (ec != std::errc() || ptr != body.data() + body.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

// The Value a scalar node stands for.
Value TypedScalar(const YAML::Node& n, bool* int_out_of_range) {
  const std::string& s = n.Scalar();
  if (!HasInferredType(n)) return Value(s);
  if (s == "~" || s == "null" || s == "Null" || s == "NULL" || s.empty()) return Value();
  if (s == "true" || s == "True" || s == "TRUE") return Value(true);
  if (s == "false" || s == "False" || s == "FALSE") return Value(false);
  if (std::optional<int64_t> i = ParseYamlInt(s, int_out_of_range)) return Value(*i);
  if (*int_out_of_range) return Value(s);
  if (std::optional<double> d = ParseYamlFloat(s)) return Value(*d);
  return Value(s);
}

// " (got ...)" for type errors.
std::string Got(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar: return " (got " + Quote(n.Scalar()) + ")";
    case YAML::NodeType::Sequence: return " (got a list)";
    case YAML::NodeType::Map: return " (got a mapping)";
    default: return " (got nothing)";
  }
}

// ---------------------------------------------------------------- builder

class Builder {
 public:
  Builder(const SourceLocator& locator, WorkflowDef& def, SourceMap& map, DiagnosticList& diags)
      : locator_(locator), def_(def), map_(map), diags_(diags) {}

  void Build(const YAML::Node& root) {
    if (!root.IsMap()) {
      Error(root.IsDefined() && !root.IsNull() ? Loc(root) : SourceLocation{1, 1},
            "a workflow file must be a YAML mapping with at least 'name' and 'steps'");
      return;
    }
    Entries top = ReadMapping(root, kTopKeys, "top-level");
    SourceLocation root_loc = Loc(root);

    if (const Entry* e = Find(top, "name")) {
      if (std::optional<std::string> name = ReadString(*e, "name")) {
        if (!IsLowerName(*name)) {
          Error(ValueLoc(*e), "workflow name " + Quote(*name) + " must use only a-z, 0-9 and '_'");
        }
        def_.name = *name;
      }
    } else {
      Error(root_loc, "missing required field 'name'");
    }
    if (const Entry* e = Find(top, "version")) {
      if (std::optional<int64_t> v = ReadInt(*e, "version")) {
        if (*v < 1 || *v > INT_MAX) {
          Error(ValueLoc(*e), "version must be a whole number from 1 up (got " + std::to_string(*v) + ")");
        } else {
          def_.version = static_cast<int>(*v);
        }
      }
    }
    if (const Entry* e = Find(top, "description")) {
      if (std::optional<std::string> d = ReadString(*e, "description")) def_.description = *d;
    }
    if (const Entry* e = Find(top, "input")) ReadInput(*e);
    if (const Entry* e = Find(top, "defaults")) ReadDefaults(*e);
    if (const Entry* e = Find(top, "deadline")) {
      if (std::optional<int64_t> ms = ReadDuration(*e, "deadline")) def_.deadline_ms = *ms;
    }
    if (const Entry* e = Find(top, "retention")) {
      if (std::optional<int64_t> ms = ReadDuration(*e, "retention")) def_.retention_ms = *ms;
    }
    if (const Entry* e = Find(top, "priority")) {
      if (std::optional<int64_t> p = ReadInt(*e, "priority")) {
        if (!IsValidPriority(*p)) {
          Error(ValueLoc(*e), "priority must be " + std::to_string(kHighestPriority) + " (first) to " +
                                  std::to_string(kLowestPriority) + " (last); got " + std::to_string(*p));
        } else {
          def_.priority = static_cast<int>(*p);
        }
      }
    }
    if (const Entry* e = Find(top, "on_cancel")) {
      if (std::optional<std::string> w = ReadString(*e, "on_cancel")) {
        if (*w == "compensate") {
          def_.on_cancel = CancelAction::kCompensate;
        } else if (*w == "stop") {
          def_.on_cancel = CancelAction::kStop;
        } else {
          Error(ValueLoc(*e), "unknown on_cancel " + Quote(*w) + DidYouMean(*w, kCancelWords) +
                                  "; expected compensate or stop");
        }
      }
    }
    if (const Entry* e = Find(top, "output")) {
      def_.output = ReadTemplate(*e, "output", -1, ExpressionUse::kOutput);
    }
    if (const Entry* e = Find(top, "search")) ReadSearch(*e);
    if (const Entry* e = Find(top, "steps")) {
      ReadSteps(*e);
    } else {
      Error(root_loc, "missing required field 'steps'");
    }
    if (const Entry* e = Find(top, "schedules")) ReadSchedules(*e);
  }

 private:
  struct Entry {
    YAML::Node key;
    YAML::Node value;
  };
  using Entries = std::map<std::string, Entry>;

  static const Entry* Find(const Entries& entries, const std::string& key) {
    auto it = entries.find(key);
    return it == entries.end() ? nullptr : &it->second;
  }

  static YamlPosition MarkOf(const YAML::Node& n) { return YamlPositionOf(n.Mark()); }
  SourceLocation Loc(const YAML::Node& n) const { return locator_.At(MarkOf(n)); }
  // An empty value ("timeout:") is marked by yaml-cpp at the next token,
  // which may be lines away, so its key stands in for it.
  SourceLocation ValueLoc(const Entry& e) const { return e.value.IsNull() ? Loc(e.key) : Loc(e.value); }

  void Error(SourceLocation where, std::string message) { diags_.Add(where, std::move(message)); }

  // Calls fn(key, key node, value node) for each pair with a scalar,
  // not-yet-seen key; reports the others.
  template <class Fn>
  void ForEachPair(const YAML::Node& mapping, Fn fn) {
    std::map<std::string, int> seen;  // key -> line
    for (auto it = mapping.begin(); it != mapping.end(); ++it) {
      // Copies: the iterator hands out a temporary pair (Nodes are handles).
      const YAML::Node k = it->first;
      const YAML::Node v = it->second;
      if (!k.IsScalar()) {
        Error(Loc(k), "mapping keys must be plain strings");
        continue;
      }
      const std::string& key = k.Scalar();
      auto [pos, inserted] = seen.emplace(key, Loc(k).line);
      if (!inserted) {
        Error(Loc(k), "duplicate key " + Quote(key) + " (first at line " + std::to_string(pos->second) + ")");
        continue;
      }
      fn(key, k, v);
    }
  }

  Entries ReadMapping(const YAML::Node& mapping, const std::vector<std::string>& known, std::string_view what) {
    Entries out;
    ForEachPair(mapping, [&](const std::string& key, const YAML::Node& k, const YAML::Node& v) {
      if (!Contains(known, key)) {
        Error(Loc(k), "unknown " + std::string(what) + " field " + Quote(key) + DidYouMean(key, known));
        return;
      }
      out.emplace(key, Entry{k, v});
    });
    return out;
  }

  std::optional<std::string> ReadString(const Entry& e, std::string_view field) {
    if (!e.value.IsScalar()) {
      Error(ValueLoc(e), Quote(field) + " must be a string" + Got(e.value));
      return std::nullopt;
    }
    return e.value.Scalar();
  }

  std::optional<std::string> ReadNonEmptyString(const Entry& e, std::string_view field) {
    std::optional<std::string> s = ReadString(e, field);
    if (s && s->empty()) {
      Error(ValueLoc(e), Quote(field) + " must not be empty");
      return std::nullopt;
    }
    return s;
  }

  std::optional<int64_t> ReadInt(const Entry& e, std::string_view field) {
    if (e.value.IsScalar()) {
      bool out_of_range = false;
      Value v = TypedScalar(e.value, &out_of_range);
      if (v.is_int()) return v.AsInt();
      if (out_of_range) {
        Error(ValueLoc(e), Quote(field) + " is out of range");
        return std::nullopt;
      }
    }
    Error(ValueLoc(e), Quote(field) + " must be a whole number" + Got(e.value));
    return std::nullopt;
  }

  std::optional<double> ReadNumber(const Entry& e, std::string_view field) {
    if (e.value.IsScalar()) {
      bool out_of_range = false;
      Value v = TypedScalar(e.value, &out_of_range);
      if (v.is_number()) return v.AsDouble();
    }
    Error(ValueLoc(e), Quote(field) + " must be a number" + Got(e.value));
    return std::nullopt;
  }

  // Every duration in a definition must be positive: a zero timeout or
  // interval is never what anyone means.
  std::optional<int64_t> ReadDuration(const Entry& e, std::string_view field) {
    if (!e.value.IsScalar()) {
      Error(ValueLoc(e), Quote(field) + " must be a duration such as 30s, 5m or 72h" + Got(e.value));
      return std::nullopt;
    }
    Result<int64_t> ms = ParseDurationMs(e.value.Scalar());
    if (!ms.ok()) {
      Error(ValueLoc(e), "bad duration for " + Quote(field) + ": " + ms.status().message());
      return std::nullopt;
    }
    if (*ms == 0) {
      Error(ValueLoc(e), Quote(field) + " must be greater than 0");
      return std::nullopt;
    }
    return *ms;
  }

  // ------------------------------------------------------------- templates

  ValueTemplate ReadTemplate(const Entry& e, const std::string& field, int step, ExpressionUse use) {
    int budget = kTemplateNodeBudget;
    bool too_big = false;
    ValueTemplate t = Convert(e.value, field, step, use, 0, budget, too_big);
    t.set_name(field);
    return t;
  }

  ValueTemplate Convert(const YAML::Node& n, const std::string& field, int step, ExpressionUse use, int depth,
                        int& budget, bool& too_big) {
    if (too_big) return ValueTemplate();
    const bool container = n.IsSequence() || n.IsMap();  // depth counts the lists and maps around n
    if (--budget < 0 || depth + (container ? 1 : 0) > kMaxValueDepth) {
      too_big = true;
      Error(Loc(n), Quote(field) + " is too large or nested deeper than the limit of " +
                        std::to_string(kMaxValueDepth) + " levels (check for aliases)");
      return ValueTemplate();
    }
    switch (n.Type()) {
      case YAML::NodeType::Scalar: return ConvertScalar(n, field, step, use);
      case YAML::NodeType::Sequence: {
        std::vector<ValueTemplate> items;
        for (const YAML::Node& item : n) items.push_back(Convert(item, field, step, use, depth + 1, budget, too_big));
        return ValueTemplate::FromList(std::move(items));
      }
      case YAML::NodeType::Map: {
        std::map<std::string, ValueTemplate> fields;
        ForEachPair(n, [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
          fields.emplace(key, Convert(v, field, step, use, depth + 1, budget, too_big));
        });
        return ValueTemplate::FromMap(std::move(fields));
      }
      default: return ValueTemplate();
    }
  }

  ValueTemplate ConvertScalar(const YAML::Node& n, const std::string& field, int step, ExpressionUse use) {
    bool out_of_range = false;
    Value v = TypedScalar(n, &out_of_range);
    if (out_of_range) {
      Error(Loc(n), "integer " + Quote(n.Scalar()) + " in " + Quote(field) + " is out of range");
      return ValueTemplate();
    }
    if (!v.is_string() || v.AsString().find('$') == std::string::npos) return ValueTemplate::Constant(std::move(v));
    int offset = 0;
    Result<StringTemplate> t = StringTemplate::Parse(v.AsString(), &offset);
    if (!t.ok()) {
      Error(locator_.AtOffset(MarkOf(n), offset), "bad expression in " + Quote(field) + ": " + t.status().message());
      return ValueTemplate();
    }
    if (t->is_constant()) {  // only "$${" escapes: store the unescaped text
      Result<Value> text = t->Evaluate(Value());
      return text.ok() ? ValueTemplate::Constant(std::move(text).value()) : ValueTemplate();
    }
    for (const auto& [start, expression] : t->expressions()) {
      map_.expressions.push_back(ExpressionSite{step, use, expression, MarkOf(n), start});
    }
    return ValueTemplate::FromString(std::move(t).value());
  }

  // `search: {reservation_id: "${input.reservation.id}", ...}`: each key a
  // lower name, each value one scalar (a template over input/workflow).
  void ReadSearch(const Entry& e) {
    if (!e.value.IsMap()) {
      Error(ValueLoc(e), "'search' must be a mapping of key names to values such as "
                         "{reservation_id: \"${input.reservation.id}\"}" + Got(e.value));
      return;
    }
    ForEachPair(e.value, [&](const std::string& key, const YAML::Node& k, const YAML::Node& v) {
      if (!IsLowerName(key) || key.size() > kMaxSearchKeyNameLength) {
        Error(Loc(k), "search key " + Quote(key) + " must use only a-z, 0-9 and '_' (at most " +
                          std::to_string(kMaxSearchKeyNameLength) + " characters)");
        return;
      }
      if (!v.IsScalar()) {
        Error(v.IsNull() ? Loc(k) : Loc(v), "search key " + Quote(key) + " must be one value such as \"${input.id}\"" +
                                                Got(v));
        return;
      }
      if (def_.search.size() == kMaxSearchKeys) {
        Error(Loc(k), "too many search keys: at most " + std::to_string(kMaxSearchKeys));
        return;
      }
      ValueTemplate t = ConvertScalar(v, "search." + key, -1, ExpressionUse::kSearch);
      t.set_name("search." + key);
      def_.search.emplace(key, std::move(t));
    });
  }

  // A `when` condition: "${expr}" or the bare expression.
  std::optional<Expression> ReadCondition(const Entry& e, std::string_view field, int step) {
    if (!e.value.IsScalar()) {
      Error(ValueLoc(e), Quote(field) + " must be an expression such as \"${input.amount > 0}\"" + Got(e.value));
      return std::nullopt;
    }
    const std::string& s = e.value.Scalar();
    const YamlPosition mark = MarkOf(e.value);
    size_t first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
      Error(ValueLoc(e), Quote(field) + " is empty");
      return std::nullopt;
    }
    size_t last = s.find_last_not_of(" \t\r\n");
    std::string_view core = std::string_view(s).substr(first, last - first + 1);
    int offset = 0;
    if (core.size() >= 3 && core.substr(0, 2) == "${" && core.back() == '}') {
      Result<StringTemplate> t = StringTemplate::Parse(core, &offset);
      if (!t.ok()) {
        Error(locator_.AtOffset(mark, static_cast<int>(first) + offset),
              "bad expression in " + Quote(field) + ": " + t.status().message());
        return std::nullopt;
      }
      if (!t->is_single_expression()) {
        Error(locator_.AtOffset(mark, static_cast<int>(first)),
              Quote(field) + " must be one expression: write \"${a && b}\", not \"${a} && ${b}\"");
        return std::nullopt;
      }
      const auto& [start, expression] = t->expressions()[0];
      map_.expressions.push_back(
          ExpressionSite{step, ExpressionUse::kWhen, expression, mark, static_cast<int>(first) + start});
      return expression;
    }
    Result<Expression> parsed = Expression::Parse(s, &offset);
    if (!parsed.ok()) {
      Error(locator_.AtOffset(mark, offset), "bad expression in " + Quote(field) + ": " + parsed.status().message());
      return std::nullopt;
    }
    map_.expressions.push_back(ExpressionSite{step, ExpressionUse::kWhen, *parsed, mark, 0});
    return std::move(parsed).value();
  }

  // ---------------------------------------------------------------- input

  void ReadInput(const Entry& e) {
    map_.input_declared = true;
    if (e.value.IsNull()) return;
    if (!e.value.IsMap()) {
      Error(ValueLoc(e), "'input' must map field names to types, e.g. { reservation_id: string }" + Got(e.value));
      return;
    }
    ForEachPair(e.value, [&](const std::string& name, const YAML::Node& k, const YAML::Node& v) {
      InputField field;
      field.name = name;
      if (!IsIdentifier(name)) {
        Error(Loc(k), "input field name " + Quote(name) +
                          " must be letters, digits and '_' and must not start with a digit");
      }
      if (!v.IsScalar()) {
        Error(v.IsNull() ? Loc(k) : Loc(v), "input field " + Quote(name) +
                                                 " needs a type: string, int, number, bool, map, list or any"
                                                 " (append '?' if optional)");
        return;
      }
      std::string type = v.Scalar();
      if (!type.empty() && type.back() == '?') {
        field.required = false;
        type.pop_back();
      }
      static const std::map<std::string, InputType> kTypes = {
          {"any", InputType::kAny},   {"string", InputType::kString}, {"int", InputType::kInt},
          {"number", InputType::kNumber}, {"bool", InputType::kBool}, {"map", InputType::kMap},
          {"list", InputType::kList},
      };
      auto it = kTypes.find(type);
      if (it == kTypes.end()) {
        Error(Loc(v), "unknown input type " + Quote(type) + " for field " + Quote(name) + DidYouMean(type, kInputTypes) +
                          "; expected string, int, number, bool, map, list or any");
        return;
      }
      field.type = it->second;
      def_.input.push_back(std::move(field));
    });
  }

  // ------------------------------------------------------ defaults, retry

  void ReadDefaults(const Entry& e) {
    if (e.value.IsNull()) return;
    if (!e.value.IsMap()) {
      Error(ValueLoc(e), "'defaults' must be a mapping with 'retry' and/or 'timeout'" + Got(e.value));
      return;
    }
    Entries d = ReadMapping(e.value, kDefaultsKeys, "defaults");
    if (const Entry* r = Find(d, "retry")) ReadRetry(*r, default_retry_);
    if (const Entry* t = Find(d, "timeout")) {
      if (std::optional<int64_t> ms = ReadDuration(*t, "timeout")) default_timeout_ms_ = *ms;
    }
  }

  // Overlays the retry mapping in e onto policy, which holds the inherited
  // values; a field not written keeps its inherited value.
  void ReadRetry(const Entry& e, RetryPolicy& policy) {
    if (e.value.IsNull()) return;
    if (!e.value.IsMap()) {
      Error(ValueLoc(e), "'retry' must be a mapping such as { max_attempts: 5, initial_interval: 1s }" + Got(e.value));
      return;
    }
    Entries r = ReadMapping(e.value, kRetryKeys, "retry");
    if (const Entry* f = Find(r, "max_attempts")) {
      if (std::optional<int64_t> v = ReadInt(*f, "max_attempts")) {
        if (*v < 1) {
          Error(ValueLoc(*f), "max_attempts must be at least 1 (got " + std::to_string(*v) + ")");
        } else if (*v > INT_MAX) {
          Error(ValueLoc(*f), "max_attempts is too large (got " + std::to_string(*v) + ")");
        } else {
          policy.max_attempts = static_cast<int>(*v);
        }
      }
    }
    if (const Entry* f = Find(r, "initial_interval")) {
      if (std::optional<int64_t> ms = ReadDuration(*f, "initial_interval")) policy.initial_interval_ms = *ms;
    }
    if (const Entry* f = Find(r, "max_interval")) {
      if (std::optional<int64_t> ms = ReadDuration(*f, "max_interval")) policy.max_interval_ms = *ms;
    }
    if (const Entry* f = Find(r, "backoff")) {
      if (std::optional<double> v = ReadNumber(*f, "backoff")) {
        if (*v < 1.0) {
          Error(ValueLoc(*f), "backoff must be at least 1.0 (got " + FormatNumber(*v) + ")");
        } else {
          policy.backoff = *v;
        }
      }
    }
    if (const Entry* f = Find(r, "jitter")) {
      if (std::optional<double> v = ReadNumber(*f, "jitter")) {
        if (*v < 0.0 || *v > 1.0) {
          Error(ValueLoc(*f), "jitter must be between 0 and 1 (got " + FormatNumber(*v) + ")");
        } else {
          policy.jitter = *v;
        }
      }
    }
    if (const Entry* f = Find(r, "non_retryable")) {
      if (f->value.IsSequence()) {
        std::vector<std::string> codes;
        for (const YAML::Node& c : f->value) {
          if (!c.IsScalar() || c.Scalar().empty()) {
            Error(c.IsNull() ? Loc(f->value) : Loc(c), "non_retryable entries must be error codes (strings)");
            continue;
          }
          codes.push_back(c.Scalar());
        }
        policy.non_retryable = std::move(codes);
      } else if (!f->value.IsNull()) {
        Error(ValueLoc(*f), "non_retryable must be a list of error codes, e.g. [invalid_charge]" + Got(f->value));
      } else {
        policy.non_retryable.clear();
      }
    }
    if (const Entry* f = Find(r, "on_exhausted")) {
      if (std::optional<std::string> w = ReadString(*f, "on_exhausted")) {
        if (*w == "fail") {
          policy.on_exhausted = ExhaustedAction::kFail;
        } else if (*w == "pause") {
          policy.on_exhausted = ExhaustedAction::kPause;
        } else if (*w == "compensate") {
          policy.on_exhausted = ExhaustedAction::kCompensate;
        } else {
          Error(ValueLoc(*f), "unknown on_exhausted " + Quote(*w) + DidYouMean(*w, kExhaustedWords) +
                                  "; expected fail, pause or compensate");
        }
      }
    }
    // Judged on the effective policy, but only where this block sets one of
    // the two, so a bad default is reported once rather than per step.
    const Entry* initial = Find(r, "initial_interval");
    const Entry* max = Find(r, "max_interval");
    if ((initial != nullptr || max != nullptr) && policy.initial_interval_ms > policy.max_interval_ms) {
      Error(ValueLoc(initial != nullptr ? *initial : *max),
            "initial_interval (" + FormatDurationMs(policy.initial_interval_ms) + ") must not exceed max_interval (" +
                FormatDurationMs(policy.max_interval_ms) + ")");
    }
  }

  // ---------------------------------------------------------------- steps

  void ReadSteps(const Entry& e) {
    if (!e.value.IsSequence()) {
      Error(ValueLoc(e), "'steps' must be a list of steps (each starting with '- id: ...')" + Got(e.value));
      return;
    }
    if (e.value.size() == 0) {
      Error(ValueLoc(e), "'steps' is empty: a workflow needs at least one step");
      return;
    }
    for (const YAML::Node& node : e.value) ReadStep(node);
  }

  void ReadStep(const YAML::Node& node) {
    const int index = static_cast<int>(def_.steps.size());
    def_.steps.emplace_back();
    map_.steps.emplace_back();
    StepDef& step = def_.steps.back();
    StepSource& src = map_.steps.back();
    step.loc = Loc(node);
    src.id = step.loc;
    step.retry = default_retry_;
    step.timeout_ms = default_timeout_ms_;
    if (!node.IsMap()) {
      Error(step.loc, "a step must be a mapping such as { id: check, activity: plugin.verb }" + Got(node));
      return;
    }
    static const std::vector<std::string> kAllStepKeys =
        Union({&kCommonStepKeys, &kActivityStepKeys, &kSignalStepKeys, &kApprovalStepKeys, &kApprovalKeys,
               &kSleepStepKeys, &kContinueStepKeys, &kChildStepKeys, &kParallelStepKeys});
    Entries f = ReadMapping(node, kAllStepKeys, "step");

    if (const Entry* id = Find(f, "id")) {
      if (std::optional<std::string> s = ReadString(*id, "id")) {
        step.id = *s;
        src.id = ValueLoc(*id);
        src.has_id = true;
        if (Contains(kReservedIds, *s)) {
          Error(src.id, "step id " + Quote(*s) + " is reserved (it is a jump word)");
        } else if (!IsLowerName(*s)) {
          Error(src.id, "step id " + Quote(*s) + " must use only a-z, 0-9 and '_'");
        }
      }
    } else {
      Error(step.loc, "missing required field 'id' in step " + std::to_string(index + 1));
    }
    const std::string who = step.id.empty() ? "step " + std::to_string(index + 1) : "step " + Quote(step.id);

    // Exactly one kind key; with two, the later one in the file is reported.
    std::vector<const std::string*> kinds;
    const Entry* kind_entry = nullptr;
    for (const std::string& k : kStepKinds) {
      const Entry* ke = Find(f, k);
      if (ke == nullptr) continue;
      kinds.push_back(&k);
      if (kind_entry == nullptr || ke->key.Mark().pos > kind_entry->key.Mark().pos) kind_entry = ke;
    }
    if (kinds.empty()) {
      Error(step.loc, "unknown step kind: " + who +
                          " needs exactly one of 'activity', 'signal', 'approval', 'sleep', 'until', "
                          "'continue_as_new', 'workflow' or 'parallel'");
    } else if (kinds.size() > 1) {
      std::string names;
      for (size_t i = 0; i < kinds.size(); ++i) names += (i == 0 ? "" : " and ") + Quote(*kinds[i]);
      Error(Loc(kind_entry->key), "unknown step kind: " + who + " has " + names + "; a step has exactly one");
    }
    const bool kind_known = kinds.size() == 1;
    if (kind_known) {
      if (*kinds[0] == "signal") step.kind = StepKind::kSignal;
      if (*kinds[0] == "approval") step.kind = StepKind::kApproval;
      if (*kinds[0] == "sleep" || *kinds[0] == "until") step.kind = StepKind::kSleep;
      if (*kinds[0] == "continue_as_new") step.kind = StepKind::kContinueAsNew;
      if (*kinds[0] == "workflow") step.kind = Find(f, "for_each") != nullptr ? StepKind::kForEach : StepKind::kChild;
      if (*kinds[0] == "parallel") step.kind = StepKind::kParallel;
      CheckKeysForKind(f, step.kind);
    }

    if (const Entry* w = Find(f, "when")) {
      if (!(kind_known && step.kind == StepKind::kApproval)) step.when = ReadCondition(*w, "when", index);
    }
    if (const Entry* n = Find(f, "next")) {
      if (std::optional<std::string> s = ReadNonEmptyString(*n, "next")) {
        step.next = *s;
        src.next = ValueLoc(*n);
      }
    }
    if (!kind_known) return;
    switch (step.kind) {
      case StepKind::kActivity: ReadActivityStep(f, index, step, src); break;
      case StepKind::kSignal: ReadSignalStep(f, index, step, src); break;
      case StepKind::kApproval: ReadApprovalStep(*Find(f, "approval"), index, step, src); break;
      case StepKind::kSleep: ReadSleepStep(f, index, step); break;
      case StepKind::kContinueAsNew: ReadContinueStep(f, index, step); break;
      case StepKind::kChild:
      case StepKind::kForEach: ReadChildStep(f, index, step); break;
      case StepKind::kParallel: ReadParallelStep(*Find(f, "parallel"), index, step); break;
    }
  }

  // Keys that exist but belong to another kind of step.
  void CheckKeysForKind(const Entries& f, StepKind kind) {
    const std::vector<std::string>& own = kind == StepKind::kActivity         ? kActivityStepKeys
                                          : kind == StepKind::kSignal         ? kSignalStepKeys
                                          : kind == StepKind::kSleep          ? kSleepStepKeys
                                          : kind == StepKind::kContinueAsNew  ? kContinueStepKeys
                                          : kind == StepKind::kChild          ? kChildStepKeys
                                          : kind == StepKind::kForEach        ? kChildStepKeys
                                          : kind == StepKind::kParallel       ? kParallelStepKeys
                                                                              : kApprovalStepKeys;
    const char* kind_name = kind == StepKind::kActivity         ? "an activity"
                            : kind == StepKind::kSignal         ? "a signal"
                            : kind == StepKind::kSleep          ? "a sleep"
                            : kind == StepKind::kContinueAsNew  ? "a continue_as_new"
                            : kind == StepKind::kChild          ? "a child workflow"
                            : kind == StepKind::kForEach        ? "a for_each"
                            : kind == StepKind::kParallel       ? "a parallel"
                                                                : "an approval";
    for (const auto& [key, entry] : f) {
      if (Contains(kCommonStepKeys, key) || Contains(own, key)) {
        if (key == "when" && kind == StepKind::kApproval) {
          Error(Loc(entry.key),
                "'when' is not allowed on an approval step: put the condition under 'approval:' as "
                "'when' (it decides whether the step holds for a decision)");
        }
        continue;
      }
      if (kind == StepKind::kApproval && Contains(kApprovalKeys, key)) {
        Error(Loc(entry.key), "field " + Quote(key) + " of an approval step belongs under 'approval:'");
      } else {
        Error(Loc(entry.key), "field " + Quote(key) + " does not apply to " + kind_name + " step");
      }
    }
  }

  void ReadActivityName(const Entry& e, std::string_view field, std::string& out, SourceLocation& where) {
    std::optional<std::string> name = ReadNonEmptyString(e, field);
    if (!name) return;
    where = ValueLoc(e);
    if (!IsActivityName(*name)) {
      Error(where, "activity name " + Quote(*name) + " in " + Quote(field) + " must look like 'plugin.verb'");
      return;
    }
    out = *name;
  }

  void ReadActivityStep(const Entries& f, int index, StepDef& step, StepSource& src) {
    ReadActivityName(*Find(f, "activity"), "activity", step.activity, src.activity);
    if (const Entry* e = Find(f, "with")) step.with = ReadTemplate(*e, "with", index, ExpressionUse::kWith);
    if (const Entry* e = Find(f, "retry")) ReadRetry(*e, step.retry);
    if (const Entry* e = Find(f, "timeout")) {
      if (std::optional<int64_t> ms = ReadDuration(*e, "timeout")) step.timeout_ms = *ms;
    }
    if (const Entry* e = Find(f, "schedule_to_close")) {
      if (std::optional<int64_t> ms = ReadDuration(*e, "schedule_to_close")) step.schedule_to_close_ms = *ms;
    }
    const Entry* compensate = Find(f, "compensate");
    if (compensate != nullptr) ReadActivityName(*compensate, "compensate", step.compensate, src.compensate);
    if (const Entry* e = Find(f, "compensate_with")) {
      if (compensate == nullptr) Error(Loc(e->key), "'compensate_with' needs 'compensate' (the activity it feeds)");
      step.compensate_with = ReadTemplate(*e, "compensate_with", index, ExpressionUse::kCompensateWith);
    }
  }

  void ReadWaitTimeout(const Entries& f, StepDef& step, StepSource& src, std::string default_on_timeout) {
    const Entry* timeout = Find(f, "timeout");
    if (timeout != nullptr) {
      if (std::optional<int64_t> ms = ReadDuration(*timeout, "timeout")) step.wait_timeout_ms = *ms;
    }
    step.on_timeout = std::move(default_on_timeout);
    if (const Entry* e = Find(f, "on_timeout")) {
      if (timeout == nullptr) Error(Loc(e->key), "'on_timeout' has no effect without 'timeout'");
      if (std::optional<std::string> s = ReadNonEmptyString(*e, "on_timeout")) {
        step.on_timeout = *s;
        src.on_timeout = ValueLoc(*e);
      }
    }
  }

  void ReadSignalStep(const Entries& f, int index, StepDef& step, StepSource& src) {
    if (std::optional<std::string> s = ReadNonEmptyString(*Find(f, "signal"), "signal")) step.signal = *s;
    ReadWaitTimeout(f, step, src, kTargetFail);
    if (const Entry* e = Find(f, "context")) step.context = ReadTemplate(*e, "context", index, ExpressionUse::kContext);
  }

  // `sleep: 3d` (or "${...}" giving a duration or milliseconds) or
  // `until: "${...}"` (an RFC 3339 instant or epoch milliseconds). A
  // template is evaluated when the step starts; a literal is checked here.
  void ReadSleepStep(const Entries& f, int index, StepDef& step) {
    if (const Entry* e = Find(f, "sleep")) {
      if (e->value.IsScalar() && e->value.Scalar().find("${") != std::string::npos) {
        step.sleep_for = ConvertScalar(e->value, "sleep", index, ExpressionUse::kWith);
        step.sleep_for.set_name("sleep");
        return;
      }
      std::optional<int64_t> ms = ReadDuration(*e, "sleep");
      if (!ms) return;
      if (*ms > kMaxSleepMs) {
        Error(ValueLoc(*e), "'sleep' must not exceed " + FormatDurationMs(kMaxSleepMs) + " (got " +
                                FormatDurationMs(*ms) + ")");
        return;
      }
      step.sleep_ms = *ms;
      return;
    }
    const Entry& e = *Find(f, "until");
    if (!e.value.IsScalar() || e.value.Scalar().empty()) {
      Error(ValueLoc(e), "'until' must be an instant such as \"${input.check_in}\" or "
                         "\"2026-12-24T18:00:00+01:00\"" + Got(e.value));
      return;
    }
    step.until = ConvertScalar(e.value, "until", index, ExpressionUse::kWith);
    step.until.set_name("until");
    if (e.value.Scalar().find("${") != std::string::npos) return;
    bool out_of_range = false;
    Value literal = TypedScalar(e.value, &out_of_range);
    if (literal.is_string()) {
      Result<TimeMs> at = ParseRfc3339(literal.AsString());
      if (!at.ok()) Error(ValueLoc(e), "bad instant for 'until': " + at.status().message());
    } else if (!literal.is_int()) {
      Error(ValueLoc(e), "'until' must be an RFC 3339 instant, epoch milliseconds or \"${...}\" giving one" +
                             Got(e.value));
    }
  }

  // `continue_as_new:` alone (the next run gets this run's input) or
  // `continue_as_new: { input: ... }`. The run ends here, so `next` has no
  // meaning on it.
  void ReadContinueStep(const Entries& f, int index, StepDef& step) {
    if (const Entry* n = Find(f, "next")) {
      Error(Loc(n->key), "'next' does not apply to a continue_as_new step: the run ends there and the next run "
                         "starts at the first step");
      step.next.clear();
    }
    const Entry& e = *Find(f, "continue_as_new");
    if (e.value.IsNull()) return;
    if (!e.value.IsMap()) {
      Error(ValueLoc(e), "'continue_as_new' must be a mapping such as { input: { cursor: \"${steps.sweep.cursor}\" } } "
                         "or empty" + Got(e.value));
      return;
    }
    Entries c = ReadMapping(e.value, kContinueKeys, "continue_as_new");
    if (const Entry* in = Find(c, "input")) {
      step.next_input = ReadTemplate(*in, "input", index, ExpressionUse::kWith);
      step.next_input.set_name("continue_as_new.input");
    }
    if (const Entry* v = Find(c, "version")) {
      bool out_of_range = false;
      Value n = v->value.IsScalar() ? TypedScalar(v->value, &out_of_range) : Value();
      if (n.is_string() && n.AsString() == "latest") {
        step.next_version = 0;
      } else if (n.is_int() && n.AsInt() >= 1 && n.AsInt() <= 1'000'000) {
        step.next_version = static_cast<int>(n.AsInt());
      } else {
        Error(ValueLoc(*v), "'version' must be latest or a version number from 1 up" + Got(v->value));
      }
    }
  }

  // `workflow: name` runs that workflow as a child; `version: latest | N`,
  // `input:` its input, `compensate: false` leaves it alone when this
  // workflow compensates.
  void ReadChildStep(const Entries& f, int index, StepDef& step) {
    const Entry& w = *Find(f, "workflow");
    if (std::optional<std::string> name = ReadNonEmptyString(w, "workflow")) {
      if (!IsLowerName(*name)) {
        Error(ValueLoc(w), "workflow name " + Quote(*name) + " must use only a-z, 0-9 and '_'");
      } else {
        step.child_workflow = *name;
        step.child_workflow_at = ValueLoc(w);
      }
    }
    if (const Entry* v = Find(f, "version")) {
      bool out_of_range = false;
      Value n = v->value.IsScalar() ? TypedScalar(v->value, &out_of_range) : Value();
      if (n.is_string() && n.AsString() == "latest") {
        step.child_version = 0;
      } else if (n.is_int() && n.AsInt() >= 1 && n.AsInt() <= 1'000'000) {
        step.child_version = static_cast<int>(n.AsInt());
      } else {
        Error(ValueLoc(*v), "'version' must be latest or a version number from 1 up" + Got(v->value));
      }
    }
    const bool fan_out = step.kind == StepKind::kForEach;
    if (const Entry* in = Find(f, "input")) {
      step.child_input = ReadTemplate(*in, "input", index, fan_out ? ExpressionUse::kElement : ExpressionUse::kWith);
    }
    if (const Entry* e = Find(f, "for_each")) {
      if (!e->value.IsScalar() || e->value.Scalar().find("${") == std::string::npos) {
        Error(ValueLoc(*e), "'for_each' must be an expression giving a list, such as \"${input.items}\"" +
                                Got(e->value));
      } else {
        step.for_each = ConvertScalar(e->value, "for_each", index, ExpressionUse::kWith);
        step.for_each.set_name("for_each");
      }
    }
    if (const Entry* c = Find(f, "concurrency")) {
      if (!fan_out) {
        Error(Loc(c->key), "'concurrency' needs 'for_each' (the list whose elements run at once)");
      } else if (std::optional<int64_t> n = ReadInt(*c, "concurrency")) {
        if (*n < 1 || *n > kMaxForEachConcurrency) {
          Error(ValueLoc(*c), "concurrency must be between 1 and " + std::to_string(kMaxForEachConcurrency) +
                                  " (got " + std::to_string(*n) + ")");
        } else {
          step.concurrency = static_cast<int>(*n);
        }
      }
    }
    if (const Entry* c = Find(f, "compensate")) {
      bool out_of_range = false;
      Value b = c->value.IsScalar() ? TypedScalar(c->value, &out_of_range) : Value();
      if (b.is_bool()) {
        step.child_compensate = b.AsBool();
      } else {
        Error(ValueLoc(*c), "'compensate' of a child workflow step must be true or false" + Got(c->value));
      }
    }
  }

  // `parallel: { join: all | any | N, branches: [ { id, workflow, ... } ] }`:
  // each branch is a child workflow step of its own (ReadChildStep's keys).
  void ReadParallelStep(const Entry& e, int index, StepDef& step) {
    if (!e.value.IsMap()) {
      Error(ValueLoc(e), "'parallel' must be a mapping such as { join: all, branches: [ { id: seller_a, workflow: "
                         "seller_refund } ] }" + Got(e.value));
      return;
    }
    Entries p = ReadMapping(e.value, kParallelKeys, "parallel");
    const Entry* branches = Find(p, "branches");
    if (branches == nullptr || !branches->value.IsSequence() || branches->value.size() == 0) {
      Error(branches == nullptr ? ValueLoc(e) : ValueLoc(*branches),
            "'parallel' needs 'branches': a list of one or more branches such as { id: seller_a, workflow: "
            "seller_refund }" + (branches == nullptr ? std::string() : Got(branches->value)));
      return;
    }
    if (branches->value.size() > kMaxParallelBranches) {
      Error(ValueLoc(*branches), "a parallel step has at most " + std::to_string(kMaxParallelBranches) +
                                     " branches (got " + std::to_string(branches->value.size()) + ")");
      return;
    }
    for (const YAML::Node& b : branches->value) {
      StepDef branch;
      branch.kind = StepKind::kChild;
      branch.loc = Loc(b);
      if (!b.IsMap()) {
        Error(branch.loc, "a branch must be a mapping such as { id: seller_a, workflow: seller_refund }" + Got(b));
        continue;
      }
      Entries f = ReadMapping(b, kBranchKeys, "branch");
      if (const Entry* id = Find(f, "id")) {
        if (std::optional<std::string> s = ReadString(*id, "id")) {
          branch.id = *s;
          branch.loc = ValueLoc(*id);
          if (Contains(kReservedIds, *s)) {
            Error(branch.loc, "branch id " + Quote(*s) + " is reserved (it is a jump word)");
          } else if (!IsLowerName(*s)) {
            Error(branch.loc, "branch id " + Quote(*s) + " must use only a-z, 0-9 and '_'");
          }
        }
      } else {
        Error(branch.loc, "missing required field 'id' in a branch of step " + Quote(step.id));
      }
      if (Find(f, "workflow") == nullptr) {
        Error(branch.loc, "branch " + Quote(branch.id) + " needs 'workflow': the child workflow it runs");
        continue;
      }
      ReadChildStep(f, index, branch);
      step.branches.push_back(std::move(branch));
    }
    const size_t n = step.branches.size();
    if (const Entry* j = Find(p, "join")) {
      bool out_of_range = false;
      Value v = j->value.IsScalar() ? TypedScalar(j->value, &out_of_range) : Value();
      if (v.is_string() && v.AsString() == "all") {
        step.join = 0;
      } else if (v.is_string() && v.AsString() == "any") {
        step.join = 1;
      } else if (v.is_int() && v.AsInt() >= 1 && static_cast<size_t>(v.AsInt()) <= n) {
        step.join = static_cast<int>(v.AsInt());
      } else {
        Error(ValueLoc(*j), "'join' must be all, any or a number of branches from 1 to " + std::to_string(n) +
                                Got(j->value));
      }
    }
  }

  void ReadApprovalStep(const Entry& e, int index, StepDef& step, StepSource& src) {
    step.on_timeout = "reject";
    step.on_reject = kTargetFail;
    if (e.value.IsNull()) return;  // "approval:" alone: always held, all defaults
    if (!e.value.IsMap()) {
      Error(ValueLoc(e), "'approval' must be a mapping such as { timeout: 72h, on_timeout: reject }" + Got(e.value));
      return;
    }
    Entries a = ReadMapping(e.value, kApprovalKeys, "approval");
    if (const Entry* w = Find(a, "when")) step.when = ReadCondition(*w, "when", index);
    ReadWaitTimeout(a, step, src, "reject");
    if (const Entry* r = Find(a, "on_reject")) {
      if (std::optional<std::string> s = ReadNonEmptyString(*r, "on_reject")) {
        step.on_reject = *s;
        src.on_reject = ValueLoc(*r);
      }
    }
    if (const Entry* r = Find(a, "required_approvals")) {
      if (std::optional<int64_t> n = ReadInt(*r, "required_approvals")) {
        if (*n < 1 || *n > 1000) {
          Error(ValueLoc(*r), "required_approvals must be between 1 and 1000 (got " + std::to_string(*n) + ")");
        } else {
          step.required_approvals = static_cast<int>(*n);
        }
      }
    }
    if (const Entry* c = Find(a, "context")) step.context = ReadTemplate(*c, "context", index, ExpressionUse::kContext);
  }

  // ------------------------------------------------------------ schedules

  void ReadSchedules(const Entry& e) {
    if (e.value.IsNull()) return;
    if (!e.value.IsSequence()) {
      Error(ValueLoc(e), "'schedules' must be a list of schedules (each starting with '- name: ...')" + Got(e.value));
      return;
    }
    std::map<std::string, int> seen;  // name -> line
    for (const YAML::Node& node : e.value) {
      std::optional<ScheduleDef> schedule = ReadSchedule(node);
      if (!schedule || schedule->name.empty()) continue;
      auto [pos, inserted] = seen.emplace(schedule->name, schedule->loc.line);
      if (!inserted) {
        Error(schedule->loc, "duplicate schedule name " + Quote(schedule->name) + " (first at line " +
                                 std::to_string(pos->second) + ")");
        continue;
      }
      def_.schedules.push_back(std::move(*schedule));
    }
  }

  std::optional<ScheduleDef> ReadSchedule(const YAML::Node& node) {
    ScheduleDef schedule;
    schedule.loc = Loc(node);
    if (!node.IsMap()) {
      Error(schedule.loc, "a schedule must be a mapping such as { name: nightly, cron: \"0 2 * * *\" }" + Got(node));
      return std::nullopt;
    }
    const size_t errors_before = diags_.size();
    Entries f = ReadMapping(node, kScheduleKeys, "schedule");
    if (const Entry* n = Find(f, "name")) {
      if (std::optional<std::string> name = ReadString(*n, "name")) {
        if (!IsLowerName(*name) || name->size() > 64) {
          Error(ValueLoc(*n), "schedule name " + Quote(*name) + " must use only a-z, 0-9 and '_' (at most 64)");
        }
        schedule.name = *name;
      }
    } else {
      Error(schedule.loc, "missing required field 'name' in schedule");
    }
    const Entry* cron = Find(f, "cron");
    const Entry* every = Find(f, "every");
    if ((cron == nullptr) == (every == nullptr)) {
      Error(cron != nullptr ? Loc(every->key) : schedule.loc,
            "a schedule needs exactly one of 'cron' (e.g. \"0 2 * * *\") or 'every' (e.g. 1h)");
    }
    if (const Entry* z = Find(f, "time_zone")) {
      if (every != nullptr) Error(Loc(z->key), "'time_zone' applies to 'cron' only ('every' counts elapsed time)");
      if (std::optional<std::string> zone = ReadNonEmptyString(*z, "time_zone")) {
        schedule.time_zone = *zone;
        if (Result<TimeZone> found = TimeZone::Find(*zone); !found.ok()) {
          Error(ValueLoc(*z), found.status().message());
        }
      }
    }
    if (cron != nullptr) {
      if (std::optional<std::string> text = ReadNonEmptyString(*cron, "cron")) {
        int offset = 0;
        Result<CronExpression> parsed = CronExpression::Parse(*text, &offset);
        if (!parsed.ok()) {
          Error(locator_.AtOffset(MarkOf(cron->value), offset), "bad cron expression: " + parsed.status().message());
        } else if (!parsed->Next(0, TimeZone()).has_value()) {
          Error(ValueLoc(*cron), "cron expression " + Quote(*text) + " never fires (no such date)");
        }
        schedule.cron = *text;
      }
    }
    if (every != nullptr) {
      if (std::optional<int64_t> ms = ReadDuration(*every, "every")) {
        if (*ms < 1000 || *ms % 1000 != 0) {
          Error(ValueLoc(*every), "'every' must be a whole number of seconds, at least 1s (got " +
                                      FormatDurationMs(*ms) + ")");
        }
        schedule.every_ms = *ms;
      }
    }
    if (const Entry* o = Find(f, "overlap")) {
      if (std::optional<std::string> w = ReadString(*o, "overlap")) {
        if (*w == "skip") {
          schedule.overlap = OverlapPolicy::kSkip;
        } else if (*w == "allow") {
          schedule.overlap = OverlapPolicy::kAllow;
        } else if (*w == "cancel_previous") {
          schedule.overlap = OverlapPolicy::kCancelPrevious;
        } else {
          Error(ValueLoc(*o), "unknown overlap " + Quote(*w) + DidYouMean(*w, kOverlapWords) +
                                  "; expected skip, allow or cancel_previous");
        }
      }
    }
    if (const Entry* c = Find(f, "catch_up")) {
      if (std::optional<std::string> w = ReadString(*c, "catch_up")) {
        if (*w == "skip") {
          schedule.catch_up = CatchUpPolicy::kSkip;
        } else if (*w == "latest") {
          schedule.catch_up = CatchUpPolicy::kLatest;
        } else if (*w == "all") {
          schedule.catch_up = CatchUpPolicy::kAll;
        } else {
          Error(ValueLoc(*c), "unknown catch_up " + Quote(*w) + DidYouMean(*w, kCatchUpWords) +
                                  "; expected skip, latest or all");
        }
      }
    }
    if (const Entry* l = Find(f, "catch_up_limit")) {
      if (std::optional<int64_t> n = ReadInt(*l, "catch_up_limit")) {
        if (*n < 1 || *n > kMaxCatchUpLimit) {
          Error(ValueLoc(*l), "catch_up_limit must be between 1 and " + std::to_string(kMaxCatchUpLimit) +
                                  " (got " + std::to_string(*n) + ")");
        } else {
          schedule.catch_up_limit = static_cast<int>(*n);
        }
      }
      if (schedule.catch_up != CatchUpPolicy::kAll) {
        Error(Loc(l->key), "'catch_up_limit' applies only with catch_up: all");
      }
    }
    schedule.input = Value(Value::Map{});
    if (const Entry* in = Find(f, "input")) {
      if (!in->value.IsNull()) {
        int budget = kTemplateNodeBudget;
        std::optional<Value> input = ReadFixedValue(in->value, 0, budget);
        if (input && !input->is_map()) {
          Error(ValueLoc(*in), "a schedule's 'input' must be a mapping of the workflow's input fields" + Got(in->value));
        } else if (input) {
          schedule.input = std::move(*input);
        }
      }
    }
    if (diags_.size() == errors_before) {
      if (Status s = ValidateInput(def_, schedule.input); !s.ok()) {
        const Entry* in = Find(f, "input");
        Error(in != nullptr ? ValueLoc(*in) : schedule.loc, "schedule " + Quote(schedule.name) + ": " + s.message());
      }
    }
    return schedule;
  }

  // A schedule's input: a plain value. Nothing is evaluated when a tick
  // starts the instance, so "${...}" is refused rather than passed on as text.
  std::optional<Value> ReadFixedValue(const YAML::Node& n, int depth, int& budget) {
    const bool container = n.IsSequence() || n.IsMap();
    if (--budget < 0 || depth + (container ? 1 : 0) > kMaxValueDepth) {
      Error(Loc(n), "'input' is too large or nested deeper than the limit of " + std::to_string(kMaxValueDepth) +
                        " levels (check for aliases)");
      budget = -1;
      return std::nullopt;
    }
    switch (n.Type()) {
      case YAML::NodeType::Scalar: {
        bool out_of_range = false;
        Value v = TypedScalar(n, &out_of_range);
        if (out_of_range) {
          Error(Loc(n), "integer " + Quote(n.Scalar()) + " in 'input' is out of range");
          return std::nullopt;
        }
        if (v.is_string() && v.AsString().find("${") != std::string::npos) {
          Error(Loc(n), "a schedule's input is a fixed value: '${...}' is not evaluated here");
          return std::nullopt;
        }
        return v;
      }
      case YAML::NodeType::Sequence: {
        Value::List items;
        for (const YAML::Node& item : n) {
          std::optional<Value> v = ReadFixedValue(item, depth + 1, budget);
          if (!v) return std::nullopt;
          items.push_back(std::move(*v));
        }
        return Value(std::move(items));
      }
      case YAML::NodeType::Map: {
        Value::Map fields;
        bool ok = true;
        ForEachPair(n, [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
          if (!ok) return;
          std::optional<Value> item = ReadFixedValue(v, depth + 1, budget);
          if (!item) {
            ok = false;
            return;
          }
          fields.emplace(key, std::move(*item));
        });
        if (!ok) return std::nullopt;
        return Value(std::move(fields));
      }
      default: return Value();
    }
  }

  const SourceLocator& locator_;
  WorkflowDef& def_;
  SourceMap& map_;
  DiagnosticList& diags_;
  RetryPolicy default_retry_;
  int64_t default_timeout_ms_ = 30000;
};

}  // namespace

void BuildWorkflow(const YAML::Node& root, const SourceLocator& locator, WorkflowDef& def, SourceMap& map,
                   DiagnosticList& diags) {
  Builder(locator, def, map, diags).Build(root);
}

}  // namespace steadfast
