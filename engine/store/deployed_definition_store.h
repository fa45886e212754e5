// DeployedDefinitionStore: the workflow versions deployed to a running
// engine (runtime/definition_deployer.h), kept so they are registered again
// when it restarts. The SQLite store implements it beside Store; reach it
// with dynamic_cast<DeployedDefinitionStore*>(store) (null: this store
// cannot keep deployed definitions).
#ifndef STEADFAST_STORE_DEPLOYED_DEFINITION_STORE_H_
#define STEADFAST_STORE_DEPLOYED_DEFINITION_STORE_H_

#include <string>
#include <vector>

#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "store/store.h"

namespace steadfast {

enum class DeployOutcome : int {
  kCreated = 0,    // newly deployed
  kUnchanged = 1,  // that name and version was deployed with the same content
};

struct DeployedDefinition {
  DefinitionRecord definition;  // hash, name, version, source
  std::string deployed_by;      // the principal
  TimeMs deployed_at = 0;
  DeployOutcome outcome = DeployOutcome::kCreated;  // of DeployDefinition
};

class DeployedDefinitionStore {
 public:
  virtual ~DeployedDefinitionStore() = default;
  // Stores the definition (as PutDefinition) and records its name and
  // version as deployed, atomically; blocks until durable. kCreated; or the
  // earlier deploy, kUnchanged, when that name and version is deployed with
  // the same hash; Conflict (naming who deployed the other content and when)
  // when with another hash. Thread-safe.
  virtual Result<DeployedDefinition> DeployDefinition(const DeployedDefinition& deployed) = 0;
  // Every deployed definition with its source, by name then version.
  virtual Result<std::vector<DeployedDefinition>> ListDeployedDefinitions() = 0;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_DEPLOYED_DEFINITION_STORE_H_
