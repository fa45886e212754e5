// Deploying workflow versions (definition_deployer.h).
#include "runtime/definition_deployer.h"

#include "definition/parser.h"
#include "steadfast/time_text.h"

namespace steadfast {
namespace {

// Conflict when the catalog has def's name and version with other content.
Status CheckCatalog(const WorkflowCatalog& catalog, const WorkflowDef& def) {
  Result<DefPtr> known = catalog.Find(def.name, def.version);
  if (!known.ok() || (*known)->hash == def.hash) return Status::Ok();
  std::string from = (*known)->path.empty() ? std::string("an earlier deploy") : (*known)->path;
  return Status::Conflict("workflow '" + def.name + "' version " + std::to_string(def.version) +
                          " is already registered with other content (from " + from +
                          "); deploy the change as a new version");
}

// What a deployed definition's messages call it: its name and version, who
// deployed it and when.
std::string DeployedName(const DeployedDefinition& d) {
  return "deployed " + d.definition.name + "@v" + std::to_string(d.definition.version) + " (by " + d.deployed_by +
         " at " + FormatRfc3339Utc(d.deployed_at) + ")";
}

}  // namespace

Result<DeployResult> DefinitionDeployer::Deploy(std::string_view source, const std::string& file,
                                                const std::string& principal) {
  ParseResult parsed = ParseWorkflow(source, file, registry_);
  DeployResult result;
  if (!parsed.ok()) {
    result.problems = std::move(parsed.diagnostics);
    return result;
  }
  const WorkflowDef& def = *parsed.def;
  SF_RETURN_IF_ERROR(CheckCatalog(catalog_, def));
  DeployedDefinition request;
  request.definition = DefinitionRecord{def.hash, def.name, def.version, def.source, 0};
  request.deployed_by = principal;
  request.deployed_at = clock_.NowMs();
  SF_ASSIGN_OR_RETURN(DeployedDefinition stored, store_.DeployDefinition(request));
  // Named as LoadDeployed names it, so a later conflict says who deployed it.
  SF_ASSIGN_OR_RETURN(result.def, catalog_.AddSource(source, DeployedName(stored)));
  result.outcome = stored.outcome;
  result.deployed_by = stored.deployed_by;
  result.deployed_at = stored.deployed_at;
  return result;
}

Result<std::vector<Diagnostic>> DefinitionDeployer::LoadDeployed() {
  SF_ASSIGN_OR_RETURN(std::vector<DeployedDefinition> deployed, store_.ListDeployedDefinitions());
  std::vector<Diagnostic> problems;
  for (const DeployedDefinition& d : deployed) {
    const DefinitionRecord& rec = d.definition;
    std::string file = DeployedName(d);
    ParseResult parsed = ParseWorkflow(rec.source, file, registry_);
    if (!parsed.ok()) {
      problems.insert(problems.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
      continue;
    }
    if (Status s = CheckCatalog(catalog_, *parsed.def); !s.ok()) {
      problems.push_back(Diagnostic{file, 0, 0, s.message()});
      continue;
    }
    SF_RETURN_IF_ERROR(catalog_.AddSource(rec.source, file).status());
  }
  return problems;
}

}  // namespace steadfast
