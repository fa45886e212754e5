// ParseWorkflow: YAML text -> validated WorkflowDef or diagnostics. This is
// the edge where yaml-cpp's exceptions become diagnostics; nothing thrown
// below gets past it.
#include "definition/parser.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/yaml_cpp.h"
#include "definition/content_hash.h"
#include "definition/source_locator.h"
#include "definition/source_map.h"
#include "definition/workflow_builder.h"
#include "definition/workflow_validator.h"

namespace steadfast {
namespace {

SourceLocation LocationOf(const YamlPosition& at) {
  return at.known() ? SourceLocation{at.line, at.column} : SourceLocation{1, 1};
}
SourceLocation MarkLocation(const YAML::Mark& mark) { return LocationOf(YamlPositionOf(mark)); }

// Loads the single YAML document in text, or reports why not.
std::optional<YAML::Node> LoadDocument(std::string_view text, DiagnosticList& diags) {
  YamlCppDocuments parsed = LoadYamlCppDocuments(text);
  if (parsed.failed) {
    diags.Add(LocationOf(parsed.error_at),
              parsed.too_deep ? std::string("YAML nested too deeply") : "YAML syntax error: " + parsed.error);
    return std::nullopt;
  }
  if (parsed.document.IsNull()) {
    diags.Add(SourceLocation{1, 1}, "the file is empty: a workflow needs at least 'name' and 'steps'");
    return std::nullopt;
  }
  if (parsed.second_document_at) {
    diags.Add(LocationOf(*parsed.second_document_at),
              "only one YAML document per workflow file (remove '---' and what follows)");
  }
  return parsed.document;
}

}  // namespace

ParseResult ParseWorkflow(std::string_view yaml_text, const std::string& file, const ActivityRegistry* registry) {
  ParseResult result;
  DiagnosticList diags(file);
  try {
    std::optional<YAML::Node> root = LoadDocument(yaml_text, diags);
    if (root) {
      SourceLocator locator(yaml_text);
      WorkflowDef def;
      SourceMap map;
      BuildWorkflow(*root, locator, def, map, diags);
      ValidateWorkflow(def, map, locator, registry, diags);
      if (diags.empty()) {
        def.source = std::string(yaml_text);
        def.hash = Sha256Hex(yaml_text);
        def.path = file;
        result.def = std::move(def);
      }
    }
  } catch (const YAML::Exception& e) {
    // Node access on a malformed tree; the builder checks types first, so
    // this is a safety net rather than an expected path.
    diags.Add(MarkLocation(e.mark), "cannot read the workflow: " + e.msg);
  } catch (const std::exception& e) {
    diags.Add(SourceLocation{}, std::string("internal error while parsing: ") + e.what());
  }
  result.diagnostics = diags.TakeSorted();
  if (!result.diagnostics.empty()) result.def.reset();
  return result;
}

ParseResult ParseWorkflowFile(const std::string& path, const ActivityRegistry* registry) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    ParseResult result;
    result.diagnostics.push_back(Diagnostic{path, 0, 0, "is a directory, not a workflow file"});
    return result;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ParseResult result;
    result.diagnostics.push_back(Diagnostic{path, 0, 0, std::string("cannot open: ") + std::strerror(errno)});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    ParseResult result;
    result.diagnostics.push_back(Diagnostic{path, 0, 0, "cannot read the file"});
    return result;
  }
  return ParseWorkflow(text.str(), path, registry);
}

}  // namespace steadfast
