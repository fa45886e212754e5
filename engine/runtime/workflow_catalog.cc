// Loading and looking up workflow definitions.
#include "runtime/workflow_catalog.h"

#include <algorithm>
#include <filesystem>

namespace steadfast {

Result<DefPtr> WorkflowCatalog::AddFile(const std::string& path) {
  return Add(ParseWorkflowFile(path, registry_));
}

Result<DefPtr> WorkflowCatalog::AddSource(std::string_view yaml, const std::string& file) {
  return Add(ParseWorkflow(yaml, file, registry_));
}

Result<DefPtr> WorkflowCatalog::Add(ParseResult r) {
  if (!r.ok()) {
    std::string msg;
    for (const Diagnostic& d : r.diagnostics) msg += (msg.empty() ? "" : "\n") + d.ToString();
    return Status::InvalidArgument(msg);
  }
  DefPtr def = std::make_shared<WorkflowDef>(std::move(*r.def));
  std::lock_guard<std::mutex> lock(mu_);
  by_name_[{def->name, def->version}] = def;
  by_hash_[def->hash] = def;
  return def;
}

std::vector<Diagnostic> WorkflowCatalog::AddDirectory(const std::string& dir) {
  std::vector<Diagnostic> problems;
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(entry.path().string());
  }
  if (ec) {
    problems.push_back({dir, 0, 0, "cannot read workflow directory: " + ec.message()});
    return problems;
  }
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    ParseResult r = ParseWorkflowFile(f, registry_);
    if (!r.ok()) {
      problems.insert(problems.end(), r.diagnostics.begin(), r.diagnostics.end());
      continue;
    }
    DefPtr def = std::make_shared<WorkflowDef>(std::move(*r.def));
    std::lock_guard<std::mutex> lock(mu_);
    by_name_[{def->name, def->version}] = def;
    by_hash_[def->hash] = def;
  }
  return problems;
}

Result<DefPtr> WorkflowCatalog::Find(std::string_view name, int version) const {
  std::lock_guard<std::mutex> lock(mu_);
  DefPtr best;
  for (const auto& [key, def] : by_name_) {
    if (key.first != name) continue;
    if (version != 0 && key.second != version) continue;
    if (!best || def->version > best->version) best = def;
  }
  if (best) return best;
  std::string known;
  for (const auto& [key, def] : by_name_) known += (known.empty() ? "" : ", ") + key.first + "@v" + std::to_string(key.second);
  std::string what = std::string(name) + (version ? "@v" + std::to_string(version) : "");
  return Status::NotFound("unknown workflow '" + what + "' (known: " + (known.empty() ? "none" : known) + ")");
}

Result<DefPtr> WorkflowCatalog::ByHash(const std::string& hash, Store& store) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_hash_.find(hash);
    if (it != by_hash_.end()) return it->second;
  }
  SF_ASSIGN_OR_RETURN(std::optional<DefinitionRecord> rec, store.GetDefinition(hash));
  if (!rec) return Status::NotFound("definition " + hash + " is not in the store");
  // The pinned source is parsed without activity checks: an instance must be
  // able to finish (or fail cleanly) even if a plugin was removed since.
  ParseResult r = ParseWorkflow(rec->source, rec->name + "@" + hash.substr(0, 12), nullptr);
  if (!r.ok()) return Status::Corruption("stored definition " + hash + " no longer parses: " + r.diagnostics[0].ToString());
  DefPtr def = std::make_shared<WorkflowDef>(std::move(*r.def));
  std::lock_guard<std::mutex> lock(mu_);
  by_hash_[hash] = def;
  return def;
}

std::vector<Diagnostic> WorkflowCatalog::MissingChildWorkflows() const {
  std::lock_guard<std::mutex> lock(mu_);
  auto loaded = [&](const std::string& name, int version) {
    for (const auto& [key, def] : by_name_) {
      if (key.first == name && (version == 0 || key.second == version)) return true;
    }
    return false;
  };
  std::vector<Diagnostic> missing;
  auto check = [&](const WorkflowDef& def, const StepDef& step) {
    if (step.child_workflow.empty() || loaded(step.child_workflow, step.child_version)) return;
    std::string what = "'" + step.child_workflow + "'";
    if (step.child_version != 0) what += " version " + std::to_string(step.child_version);
    std::string known;
    for (const auto& [key, other] : by_name_) {
      if (key.first == step.child_workflow) known += (known.empty() ? "" : ", ") + std::to_string(key.second);
    }
    missing.push_back({def.path, step.child_workflow_at.line, step.child_workflow_at.column,
                       "step '" + step.id + "' runs workflow " + what + ", which is not loaded" +
                           (known.empty() ? "" : " (loaded versions: " + known + ")")});
  };
  for (const auto& [key, def] : by_name_) {
    for (const StepDef& step : def->steps) {
      check(*def, step);
      for (const StepDef& branch : step.branches) check(*def, branch);
    }
  }
  return missing;
}

std::vector<std::pair<std::string, int>> WorkflowCatalog::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, int>> out;
  for (const auto& [key, def] : by_name_) out.push_back(key);
  return out;
}

}  // namespace steadfast
