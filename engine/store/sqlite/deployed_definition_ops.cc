// Deployed definitions in SQLite (deployed_definition_ops.h).
#include "store/sqlite/deployed_definition_ops.h"

#include "steadfast/time_text.h"
#include "store/sqlite/write_ops.h"

namespace steadfast {
namespace {

const char kSelectDeployed[] =
    "SELECT d.hash, d.deployed_by, d.deployed_at, f.source, f.created_at FROM deployed_definitions d "
    "JOIN definitions f ON f.hash = d.hash WHERE d.name = ?1 AND d.version = ?2";
const char kInsertDeployed[] =
    "INSERT INTO deployed_definitions(name, version, hash, deployed_by, deployed_at) VALUES (?1, ?2, ?3, ?4, ?5)";
const char kSelectAllDeployed[] =
    "SELECT d.name, d.version, d.hash, d.deployed_by, d.deployed_at, f.source, f.created_at "
    "FROM deployed_definitions d JOIN definitions f ON f.hash = d.hash ORDER BY d.name, d.version";

}  // namespace

Result<DeployedDefinition> WriteDeployDefinition(Connection& conn, const DeployedDefinition& deployed) {
  const DefinitionRecord& def = deployed.definition;
  SF_ASSIGN_OR_RETURN(StatementRef existing, conn.Prepare(kSelectDeployed));
  existing->BindText(1, def.name);
  existing->BindInt(2, def.version);
  SF_ASSIGN_OR_RETURN(bool found, existing->Step());
  if (found) {
    DeployedDefinition before;
    before.definition = def;
    before.definition.hash = existing->ColumnText(0);
    before.definition.source = existing->ColumnText(3);
    before.definition.created_at = existing->ColumnInt(4);
    before.deployed_by = existing->ColumnText(1);
    before.deployed_at = existing->ColumnInt(2);
    if (before.definition.hash != def.hash) {
      return Status::Conflict("workflow '" + def.name + "' version " + std::to_string(def.version) +
                              " is already deployed with other content (by " + before.deployed_by + " at " +
                              FormatRfc3339Utc(before.deployed_at) + "); deploy the change as a new version");
    }
    before.outcome = DeployOutcome::kUnchanged;
    return before;
  }
  SF_RETURN_IF_ERROR(WritePutDefinition(conn, def, deployed.deployed_at));
  SF_ASSIGN_OR_RETURN(StatementRef insert, conn.Prepare(kInsertDeployed));
  insert->BindText(1, def.name);
  insert->BindInt(2, def.version);
  insert->BindText(3, def.hash);
  insert->BindText(4, deployed.deployed_by);
  insert->BindInt(5, deployed.deployed_at);
  SF_RETURN_IF_ERROR(insert->Run());
  DeployedDefinition created = deployed;
  created.outcome = DeployOutcome::kCreated;
  return created;
}

Result<std::vector<DeployedDefinition>> ReadDeployedDefinitions(Connection& conn) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectAllDeployed));
  std::vector<DeployedDefinition> out;
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    DeployedDefinition d;
    d.definition.name = stmt->ColumnText(0);
    d.definition.version = static_cast<int>(stmt->ColumnInt(1));
    d.definition.hash = stmt->ColumnText(2);
    d.deployed_by = stmt->ColumnText(3);
    d.deployed_at = stmt->ColumnInt(4);
    d.definition.source = stmt->ColumnText(5);
    d.definition.created_at = stmt->ColumnInt(6);
    d.outcome = DeployOutcome::kUnchanged;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace steadfast
