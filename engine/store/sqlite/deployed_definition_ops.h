// The SQL of DeployedDefinitionStore (store/deployed_definition_store.h), run in the caller's transaction (write) or on a reader.
#ifndef STEADFAST_STORE_SQLITE_DEPLOYED_DEFINITION_OPS_H_
#define STEADFAST_STORE_SQLITE_DEPLOYED_DEFINITION_OPS_H_

#include <vector>

#include "store/deployed_definition_store.h"
#include "store/sqlite/connection.h"

namespace steadfast {

// Stores the definition and records its name and version as deployed:
// kCreated; kUnchanged when that name and version is deployed with the same
// hash; Conflict (naming who deployed the other content, and when) when with
// another.
Result<DeployedDefinition> WriteDeployDefinition(Connection& conn, const DeployedDefinition& deployed);

// Every deployed definition with its source, by name then version.
Result<std::vector<DeployedDefinition>> ReadDeployedDefinitions(Connection& conn);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_DEPLOYED_DEFINITION_OPS_H_
