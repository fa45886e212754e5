// DefinitionDeployer: registering a new workflow version on a running
// engine (`steadfast deploy`, POST /v1/definitions), and again when the
// engine restarts.
//
// A deployed definition is checked like a file of the workflows directory
// (with the engine's activities); one with problems is refused whole, each
// problem as file:line:col, and nothing is stored. A valid one is stored as
// deployed (DeployedDefinitionStore) and added to the catalog at once, so the
// next start may use it. A name and version is deployed once: the same
// content again changes nothing; other content is a Conflict, whether the
// version came from an earlier deploy or from the workflows directory.
// Thread-safe (the catalog and the store are).
#ifndef STEADFAST_RUNTIME_DEFINITION_DEPLOYER_H_
#define STEADFAST_RUNTIME_DEFINITION_DEPLOYER_H_

#include <string>
#include <string_view>
#include <vector>

#include "definition/diagnostic.h"
#include "runtime/workflow_catalog.h"
#include "steadfast/clock.h"
#include "steadfast/registry.h"
#include "store/deployed_definition_store.h"

namespace steadfast {

struct DeployResult {
  std::vector<Diagnostic> problems;  // non-empty: refused, nothing stored, the rest unset
  DeployOutcome outcome = DeployOutcome::kCreated;
  DefPtr def;
  std::string deployed_by;  // who deployed it first (kUnchanged: the earlier deploy's)
  TimeMs deployed_at = 0;
};

class DefinitionDeployer {
 public:
  // All must outlive the deployer; registry checks activity names (as the
  // catalog's does; null = no check).
  DefinitionDeployer(DeployedDefinitionStore& store, WorkflowCatalog& catalog, const ActivityRegistry* registry,
                     const Clock& clock)
      : store_(store), catalog_(catalog), registry_(registry), clock_(clock) {}

  // source: the YAML text; file: what problems name (the deployer's path).
  // Conflict as above; store errors as they come.
  Result<DeployResult> Deploy(std::string_view source, const std::string& file, const std::string& principal);

  // Adds every definition deployed to the store to the catalog (at start,
  // after the workflows directory). The problems of those that no longer
  // check (an activity whose plugin is gone) and of a name and version the
  // directory has with other content; the others are added anyway.
  Result<std::vector<Diagnostic>> LoadDeployed();

 private:
  DeployedDefinitionStore& store_;
  WorkflowCatalog& catalog_;
  const ActivityRegistry* registry_;
  const Clock& clock_;
};

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_DEFINITION_DEPLOYER_H_
