// `steadfast graph` as a user runs it: the real binary on a workflow file,
// each format, the errors, and docs/workflow_graphs.md matching what the
// binary prints for every shipped workflow (so the docs cannot go stale).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "subprocess.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;
using testing::RunCommand;
using testing::RunResult;

const std::string kSource = STEADFAST_SOURCE_ROOT;

constexpr const char* kSmallYaml = R"(name: small
version: 1
input: { amount: int }
steps:
  - id: pay
    activity: std.noop
    compensate: std.echo
  - id: review
    approval:
      when: "${input.amount > 100}"
      on_reject: end
  - id: notify
    activity: std.noop
)";

class GraphCli : public ::testing::Test {
 protected:
  RunResult Graph(std::vector<std::string> args) {
    args.insert(args.begin(), {STEADFAST_BIN, "graph"});
    return RunCommand(args);
  }
  testing::TempDir dir_;
};

TEST_F(GraphCli, PrintsMermaidByDefault) {
  std::string file = dir_.File("small.yaml");
  testing::WriteFile(file, kSmallYaml);
  RunResult r = Graph({file});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output,
            "flowchart TD\n"
            "  t_start((\"start\"))\n"
            "  s_pay[\"pay<br/>std.noop\"]\n"
            "  c_pay[\"undo pay<br/>std.echo\"]:::compensation\n"
            "  s_review{{\"review<br/>approval<br/>holds when input.amount #gt; 100\"}}\n"
            "  s_notify[\"notify<br/>std.noop\"]\n"
            "  t_end((\"end\"))\n"
            "  t_start --> s_pay\n"
            "  s_pay --> s_review\n"
            "  s_pay -.->|\"compensate\"| c_pay\n"
            "  s_review -->|\"approved\"| s_notify\n"
            "  s_review -->|\"rejected\"| t_end\n"
            "  s_notify --> t_end\n"
            "  classDef compensation stroke-dasharray: 5 5\n");
}

TEST_F(GraphCli, PrintsDotAndJson) {
  std::string file = dir_.File("small.yaml");
  testing::WriteFile(file, kSmallYaml);
  RunResult dot = Graph({file, "--format", "dot"});
  ASSERT_EQ(dot.exit_code, 0) << dot.output;
  EXPECT_EQ(dot.output.rfind("digraph \"small\" {\n", 0), 0u) << dot.output;
  EXPECT_THAT(dot.output, HasSubstr("  \"review\" -> \"(end)\" [label=\"rejected\"];\n"));
  EXPECT_THAT(dot.output, HasSubstr("  \"pay\" -> \"pay.compensate\" [label=\"compensate\", style=dashed"));
  RunResult json = Graph({file, "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_THAT(json.output, HasSubstr("\"kind\": \"compensation\""));
  EXPECT_THAT(json.output, HasSubstr("\"workflow\": \"small\""));
}

TEST_F(GraphCli, ClearErrors) {
  RunResult none = Graph({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.output, HasSubstr("usage: steadfast graph WORKFLOW.yaml"));

  std::string file = dir_.File("small.yaml");
  testing::WriteFile(file, kSmallYaml);
  RunResult format = Graph({file, "--format", "svg"});
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_THAT(format.output, HasSubstr("--format must be mermaid, dot or json, not 'svg'"));

  std::string bad = dir_.File("bad.yaml");
  testing::WriteFile(bad, "name: bad\nversion: 1\nsteps:\n  - id: a\n    activity: std.noop\n    next: nowhere\n");
  RunResult invalid = Graph({bad});
  EXPECT_EQ(invalid.exit_code, 1);
  EXPECT_THAT(invalid.output, HasSubstr("bad.yaml:6:"));
  EXPECT_THAT(invalid.output, HasSubstr("cannot draw an invalid workflow (1 problem)"));

  RunResult missing = Graph({dir_.File("missing.yaml")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, HasSubstr("missing.yaml"));
}

// docs/workflow_graphs.md holds, under "## <name>", exactly what the binary
// prints for workflows/<name>.yaml (tools/workflow_graphs.sh writes it).
TEST_F(GraphCli, DocsShowTheCurrentGraphOfEveryShippedWorkflow) {
  std::string doc = testing::ReadFile(kSource + "/docs/workflow_graphs.md");
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kSource + "/workflows")) {
    if (entry.path().extension() != ".yaml") continue;
    std::string name = entry.path().stem().string();
    RunResult r = Graph({entry.path().string()});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.output;
    std::string block = "## " + name + "\n\n```mermaid\n" + r.output + "```\n";
    EXPECT_NE(doc.find(block), std::string::npos)
        << "docs/workflow_graphs.md is out of date for " << name << ": run tools/workflow_graphs.sh";
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

}  // namespace
}  // namespace steadfast
