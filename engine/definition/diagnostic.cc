// Diagnostic formatting and ordering.
#include "definition/diagnostic.h"

#include <algorithm>

#include "steadfast/yaml_document.h"

namespace steadfast {

std::string Diagnostic::ToString() const {
  return YamlPosition{file, line, column}.ToString() + ": " + message;
}

void DiagnosticList::Add(SourceLocation where, std::string message) {
  items_.push_back(Diagnostic{file_, where.line, where.column, std::move(message)});
}

std::vector<Diagnostic> DiagnosticList::TakeSorted() {
  std::vector<Diagnostic> out = std::move(items_);
  items_.clear();
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  auto same = [](const Diagnostic& a, const Diagnostic& b) {
    return a.line == b.line && a.column == b.column && a.message == b.message;
  };
  out.erase(std::unique(out.begin(), out.end(), same), out.end());
  return out;
}

}  // namespace steadfast
