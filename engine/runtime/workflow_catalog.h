// WorkflowCatalog: the workflow definitions an engine knows.
//
// New instances start from the catalog's definition (loaded from YAML files,
// latest version by default). Running instances use the exact definition
// they started with, found by content hash: from memory, or parsed again from
// the source kept in the store, so editing a YAML file never changes an
// instance in flight.
#ifndef STEADFAST_RUNTIME_WORKFLOW_CATALOG_H_
#define STEADFAST_RUNTIME_WORKFLOW_CATALOG_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "definition/parser.h"
#include "definition/workflow_def.h"
#include "steadfast/registry.h"
#include "store/store.h"

namespace steadfast {

using DefPtr = std::shared_ptr<const WorkflowDef>;

class WorkflowCatalog {
 public:
  // registry may be null (no activity-name checks), else must outlive this.
  explicit WorkflowCatalog(const ActivityRegistry* registry) : registry_(registry) {}
  WorkflowCatalog(const WorkflowCatalog&) = delete;
  WorkflowCatalog& operator=(const WorkflowCatalog&) = delete;

  // Parses and adds one file. On problems returns InvalidArgument whose
  // message is the diagnostics, one "file:line:col: message" per line.
  Result<DefPtr> AddFile(const std::string& path);
  // Parses and adds a definition held in memory; `file` names it in messages.
  Result<DefPtr> AddSource(std::string_view yaml, const std::string& file);
  // Adds a definition parsed already (its problems, if any, as AddFile's).
  Result<DefPtr> Add(ParseResult parsed);
  // Adds every *.yaml / *.yml file in dir; files with problems are skipped
  // and their diagnostics returned.
  std::vector<Diagnostic> AddDirectory(const std::string& dir);

  // The definition with this name: the given version, or the highest when
  // version is 0. NotFound names what is known.
  Result<DefPtr> Find(std::string_view name, int version = 0) const;
  // A definition by content hash: cached, or parsed from the store's copy.
  Result<DefPtr> ByHash(const std::string& hash, Store& store);
  // Names and versions known, sorted.
  std::vector<std::pair<std::string, int>> List() const;
  // Every child workflow step, parallel branch and for_each of the loaded
  // definitions whose workflow is not loaded (at the version it pins), as
  // a diagnostic at its `workflow:`. Run once everything is loaded
  // (directory and deployed versions): one file may name another.
  std::vector<Diagnostic> MissingChildWorkflows() const;

 private:

  const ActivityRegistry* registry_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, DefPtr> by_name_;  // GUARDED_BY(mu_)
  std::map<std::string, DefPtr> by_hash_;                  // GUARDED_BY(mu_)
};

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_WORKFLOW_CATALOG_H_
