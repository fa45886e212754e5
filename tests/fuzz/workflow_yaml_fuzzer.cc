// The workflow loader: YAML text -> WorkflowDef through the builder and the
// validator (definition/parser.h), with the std and refund activities
// registered as in `steadfast serve`, so the real workflows validate.
// Properties: ParseWorkflow never throws; a definition comes back exactly
// when there are no diagnostics; diagnostics are sorted and point inside
// the text (or at line 0, the whole file); parsing is deterministic.
#include <algorithm>
#include <memory>
#include <string>

#include "builtin/std_activities.h"
#include "definition/parser.h"
#include "fuzz_check.h"
#include "refund/plugin.h"

namespace steadfast {
namespace {

const ActivityRegistry& Registry() {
  static const std::unique_ptr<ActivityRegistry> registry = [] {
    auto r = std::make_unique<ActivityRegistry>();
    FUZZ_CHECK(RegisterStdActivities(*r).ok());
    FUZZ_CHECK(refund::RegisterUnconfiguredRefundActivities(*r, "not configured in the fuzzer").ok());
    return r;
  }();
  return *registry;
}

std::string Summary(const ParseResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += d.ToString() + "\n";
  if (r.def) out += "def " + r.def->name + "@" + std::to_string(r.def->version) + " " + r.def->hash + "\n";
  return out;
}

}  // namespace
}  // namespace steadfast

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace steadfast;
  const std::string_view text = fuzz::AsText(data, size);
  ParseResult result = ParseWorkflow(text, "fuzz.yaml", &Registry());
  FUZZ_CHECK(result.ok() == result.def.has_value());
  const size_t lines = std::count(text.begin(), text.end(), '\n') + 1;
  for (size_t i = 0; i < result.diagnostics.size(); ++i) {
    const Diagnostic& d = result.diagnostics[i];
    FUZZ_CHECK(!d.message.empty());
    FUZZ_CHECK(d.line >= 0 && static_cast<size_t>(d.line) <= lines);
    if (i > 0) {
      const Diagnostic& prev = result.diagnostics[i - 1];
      FUZZ_CHECK(prev.line < d.line || (prev.line == d.line && prev.column <= d.column));
    }
  }
  ParseResult again = ParseWorkflow(text, "fuzz.yaml", &Registry());
  FUZZ_CHECK(Summary(again) == Summary(result));
  return 0;
}
