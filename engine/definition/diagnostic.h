// Diagnostic: one problem found in a workflow file, at file:line:col, and
// the list the parser collects them in (every problem, not just the first).
#ifndef STEADFAST_DEFINITION_DIAGNOSTIC_H_
#define STEADFAST_DEFINITION_DIAGNOSTIC_H_

#include <string>
#include <utility>
#include <vector>

#include "definition/workflow_def.h"

namespace steadfast {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 = the whole file (e.g. it cannot be read)
  int column = 0;  // 1-based
  std::string message;
  // "file:line:col: message", or "file: message" when line is 0.
  std::string ToString() const;
};

// Collects diagnostics for one file.
class DiagnosticList {
 public:
  explicit DiagnosticList(std::string file) : file_(std::move(file)) {}

  void Add(SourceLocation where, std::string message);
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }

  // Sorted by line then column (ties keep the order found), exact
  // duplicates dropped.
  std::vector<Diagnostic> TakeSorted();

 private:
  std::string file_;
  std::vector<Diagnostic> items_;
};

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_DIAGNOSTIC_H_
