// BuildStepGraph and its renderings: exact Mermaid and DOT for a small
// workflow with every kind of edge (next, skip, approval approve / reject /
// timeout, signal timeout to fail, compensation), and escaping.
#include "definition/step_graph.h"

#include <gtest/gtest.h>

#include "definition/parser.h"

namespace steadfast {
namespace {

constexpr const char* kTinyYaml = R"(name: tiny
version: 1
input: { amount: int, vip: "bool?" }
steps:
  - id: charge
    activity: std.noop
    compensate: std.echo
  - id: check
    activity: std.echo
    when: "${input.amount > 100}"
    next: end
  - id: review
    approval:
      when: "${input.vip != true}"
      timeout: 1h
      on_timeout: approve
      on_reject: undo
  - id: wait
    signal: go
    timeout: 2d
    on_timeout: fail
  - id: undo
    activity: std.noop
)";

StepGraph Tiny() {
  ParseResult r = ParseWorkflow(kTinyYaml, "tiny.yaml", nullptr);
  EXPECT_TRUE(r.ok()) << (r.diagnostics.empty() ? "" : r.diagnostics[0].ToString());
  return r.ok() ? BuildStepGraph(*r.def) : StepGraph{};
}

TEST(StepGraph, MermaidOfEveryEdgeKind) {
  EXPECT_EQ(RenderMermaid(Tiny()),
            "flowchart TD\n"
            "  t_start((\"start\"))\n"
            "  s_charge[\"charge<br/>std.noop\"]\n"
            "  c_charge[\"undo charge<br/>std.echo\"]:::compensation\n"
            "  s_check[\"check<br/>std.echo<br/>when input.amount #gt; 100\"]\n"
            "  s_review{{\"review<br/>approval<br/>holds when input.vip != true\"}}\n"
            "  s_wait([\"wait<br/>signal: go\"])\n"
            "  s_undo[\"undo<br/>std.noop\"]\n"
            "  t_end((\"end\"))\n"
            "  t_fail[[\"fail\"]]\n"
            "  t_start --> s_charge\n"
            "  s_charge --> s_check\n"
            "  s_charge -.->|\"compensate\"| c_charge\n"
            "  s_check --> t_end\n"
            "  s_check -.->|\"skipped\"| s_review\n"
            "  s_review -->|\"approved\"| s_wait\n"
            "  s_review -->|\"rejected\"| s_undo\n"
            "  s_review -->|\"timeout 1h: approve\"| s_wait\n"
            "  s_wait -->|\"received\"| s_undo\n"
            "  s_wait -->|\"timeout 2d\"| t_fail\n"
            "  s_undo --> t_end\n"
            "  classDef compensation stroke-dasharray: 5 5\n");
}

TEST(StepGraph, SleepNodesSayHowLongOrUntilWhen) {
  ParseResult r = ParseWorkflow(R"(name: naps
input: { at: string, grace: string }
steps:
  - id: rest
    sleep: 1d12h
  - id: grace
    sleep: "${input.grace}"
  - id: check_in
    until: "${input.at}"
    when: "${input.at != ''}"
)",
                                "naps.yaml", nullptr);
  ASSERT_TRUE(r.ok()) << (r.diagnostics.empty() ? "" : r.diagnostics[0].ToString());
  StepGraph g = BuildStepGraph(*r.def);
  EXPECT_EQ(RenderMermaid(g),
            "flowchart TD\n"
            "  t_start((\"start\"))\n"
            "  s_rest[/\"rest<br/>sleep 1d12h\"/]\n"
            "  s_grace[/\"grace<br/>sleep ${input.grace}\"/]\n"
            "  s_check_in[/\"check_in<br/>until ${input.at}<br/>when input.at != ''\"/]\n"
            "  t_end((\"end\"))\n"
            "  t_start --> s_rest\n"
            "  s_rest -->|\"woke\"| s_grace\n"
            "  s_grace -->|\"woke\"| s_check_in\n"
            "  s_check_in -->|\"woke\"| t_end\n"
            "  s_check_in -.->|\"skipped\"| t_end\n"
            "  classDef compensation stroke-dasharray: 5 5\n");
  EXPECT_NE(RenderDot(g).find("\"rest\" [label=\"rest\\nsleep 1d12h\", shape=parallelogram, style=\"\"];"),
            std::string::npos)
      << RenderDot(g);
  EXPECT_EQ(StepGraphToValue(g).Get("nodes").AsList()[1].Get("kind").StringOr(""), "sleep");
}

TEST(StepGraph, ContinueAsNewLeadsBackToStart) {
  ParseResult r = ParseWorkflow(R"(name: sweeper
steps:
  - id: sweep
    activity: demo.sweep
  - id: again
    when: "${steps.sweep.more}"
    continue_as_new:
)",
                                "sweeper.yaml", nullptr);
  ASSERT_TRUE(r.ok()) << (r.diagnostics.empty() ? "" : r.diagnostics[0].ToString());
  StepGraph g = BuildStepGraph(*r.def);
  EXPECT_EQ(RenderMermaid(g),
            "flowchart TD\n"
            "  t_start((\"start\"))\n"
            "  s_sweep[\"sweep<br/>demo.sweep\"]\n"
            "  s_again>\"again<br/>continue as new<br/>when steps.sweep.more\"]\n"
            "  t_end((\"end\"))\n"
            "  t_start --> s_sweep\n"
            "  s_sweep --> s_again\n"
            "  s_again -->|\"new run\"| t_start\n"
            "  s_again -.->|\"skipped\"| t_end\n"
            "  classDef compensation stroke-dasharray: 5 5\n");
  EXPECT_NE(RenderDot(g).find("\"again\" -> \"(start)\" [label=\"new run\"];"), std::string::npos) << RenderDot(g);
  EXPECT_EQ(StepGraphToValue(g).Get("nodes").AsList()[2].Get("kind").StringOr(""), "continue_as_new");
}

TEST(StepGraph, ChildWorkflowStepsAndTheirCompensation) {
  ParseResult r = ParseWorkflow(R"(name: order
steps:
  - id: seller_a
    workflow: seller_refund
    version: 2
  - id: notify
    workflow: notify_all
    compensate: false
)",
                                "order.yaml", nullptr);
  ASSERT_TRUE(r.ok()) << (r.diagnostics.empty() ? "" : r.diagnostics[0].ToString());
  StepGraph g = BuildStepGraph(*r.def);
  EXPECT_EQ(RenderMermaid(g),
            "flowchart TD\n"
            "  t_start((\"start\"))\n"
            "  s_seller_a[[\"seller_a<br/>workflow: seller_refund v2\"]]\n"
            "  c_seller_a[\"undo seller_a<br/>compensate seller_refund\"]:::compensation\n"
            "  s_notify[[\"notify<br/>workflow: notify_all\"]]\n"
            "  t_end((\"end\"))\n"
            "  t_start --> s_seller_a\n"
            "  s_seller_a -->|\"child completed\"| s_notify\n"
            "  s_seller_a -.->|\"compensate\"| c_seller_a\n"
            "  s_notify -->|\"child completed\"| t_end\n"
            "  classDef compensation stroke-dasharray: 5 5\n");
  EXPECT_NE(RenderDot(g).find("shape=box3d"), std::string::npos) << RenderDot(g);
  EXPECT_EQ(StepGraphToValue(g).Get("nodes").AsList()[1].Get("kind").StringOr(""), "child_workflow");
}

TEST(StepGraph, ParallelStepsForkIntoTheirBranches) {
  ParseResult r = ParseWorkflow(R"(name: sellers
steps:
  - id: refunds
    parallel:
      join: any
      branches:
        - { id: a, workflow: seller_refund }
        - { id: b, workflow: seller_refund, compensate: false }
)",
                                "sellers.yaml", nullptr);
  ASSERT_TRUE(r.ok()) << (r.diagnostics.empty() ? "" : r.diagnostics[0].ToString());
  StepGraph g = BuildStepGraph(*r.def);
  const std::string mermaid = RenderMermaid(g);
  EXPECT_NE(mermaid.find("s_refunds[/\"refunds<br/>parallel, join any\"\\]"), std::string::npos) << mermaid;
  EXPECT_NE(mermaid.find("s_refunds -->|\"branch\"| s_a"), std::string::npos) << mermaid;
  EXPECT_NE(mermaid.find("s_b -->|\"joined\"| t_end"), std::string::npos) << mermaid;
  EXPECT_NE(mermaid.find("s_a -.->|\"compensate\"|"), std::string::npos) << mermaid;
  EXPECT_EQ(mermaid.find("s_b -.->|\"compensate\"|"), std::string::npos) << mermaid;
  EXPECT_EQ(StepGraphToValue(g).Get("nodes").AsList()[1].Get("kind").StringOr(""), "parallel");
}

TEST(StepGraph, ForEachStepsSayWhatTheyFanOutOver) {
  ParseResult r = ParseWorkflow(R"(name: items
input: { items: list }
steps:
  - id: inspect
    workflow: inspect_item
    for_each: "${input.items}"
    concurrency: 20
)",
                                "items.yaml", nullptr);
  ASSERT_TRUE(r.ok()) << (r.diagnostics.empty() ? "" : r.diagnostics[0].ToString());
  StepGraph g = BuildStepGraph(*r.def);
  const std::string mermaid = RenderMermaid(g);
  EXPECT_NE(mermaid.find("s_inspect[[\"inspect<br/>for each ${input.items}: inspect_item (20 at once)\"]]"),
            std::string::npos)
      << mermaid;
  EXPECT_NE(mermaid.find("s_inspect -->|\"all completed\"| t_end"), std::string::npos) << mermaid;
  EXPECT_EQ(StepGraphToValue(g).Get("nodes").AsList()[1].Get("kind").StringOr(""), "for_each");
}

TEST(StepGraph, DotOfEveryEdgeKind) {
  EXPECT_EQ(RenderDot(Tiny()),
            "digraph \"tiny\" {\n"
            "  rankdir=TB;\n"
            "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
            "  edge [fontname=\"Helvetica\", fontsize=10];\n"
            "  \"(start)\" [label=\"start\", shape=circle];\n"
            "  \"charge\" [label=\"charge\\nstd.noop\"];\n"
            "  \"charge.compensate\" [label=\"undo charge\\nstd.echo\", style=\"dashed\"];\n"
            "  \"check\" [label=\"check\\nstd.echo\\nwhen input.amount > 100\"];\n"
            "  \"review\" [label=\"review\\napproval\\nholds when input.vip != true\", shape=hexagon, style=\"\"];\n"
            "  \"wait\" [label=\"wait\\nsignal: go\", shape=cds, style=\"\"];\n"
            "  \"undo\" [label=\"undo\\nstd.noop\"];\n"
            "  \"(end)\" [label=\"end\", shape=doublecircle];\n"
            "  \"(fail)\" [label=\"fail\", shape=octagon];\n"
            "  \"(start)\" -> \"charge\";\n"
            "  \"charge\" -> \"check\";\n"
            "  \"charge\" -> \"charge.compensate\" [label=\"compensate\", style=dashed, arrowhead=empty];\n"
            "  \"check\" -> \"(end)\";\n"
            "  \"check\" -> \"review\" [label=\"skipped\", style=dotted];\n"
            "  \"review\" -> \"wait\" [label=\"approved\"];\n"
            "  \"review\" -> \"undo\" [label=\"rejected\"];\n"
            "  \"review\" -> \"wait\" [label=\"timeout 1h: approve\"];\n"
            "  \"wait\" -> \"undo\" [label=\"received\"];\n"
            "  \"wait\" -> \"(fail)\" [label=\"timeout 2d\"];\n"
            "  \"undo\" -> \"(end)\";\n"
            "}\n");
}

TEST(StepGraph, ValueListsNodesAndEdges) {
  Value v = StepGraphToValue(Tiny());
  EXPECT_EQ(v.Get("workflow").StringOr(""), "tiny");
  ASSERT_TRUE(v.Get("nodes").is_list());
  ASSERT_EQ(v.Get("nodes").AsList().size(), 9u);
  const Value& review = v.Get("nodes").AsList()[4];
  EXPECT_EQ(review.Get("id").StringOr(""), "review");
  EXPECT_EQ(review.Get("kind").StringOr(""), "approval");
  EXPECT_EQ(review.Get("when").StringOr(""), "input.vip != true");
  ASSERT_EQ(v.Get("edges").AsList().size(), 11u);
  const Value& reject = v.Get("edges").AsList()[6];
  EXPECT_EQ(reject.ToJson(), R"({"from":"review","kind":"reject","label":"rejected","to":"undo"})");
}

TEST(StepGraph, NoFailNodeWhenNothingFails) {
  ParseResult r = ParseWorkflow("name: two\nversion: 1\nsteps:\n  - id: a\n    activity: std.noop\n", "two.yaml",
                                nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(RenderMermaid(BuildStepGraph(*r.def)),
            "flowchart TD\n"
            "  t_start((\"start\"))\n"
            "  s_a[\"a<br/>std.noop\"]\n"
            "  t_end((\"end\"))\n"
            "  t_start --> s_a\n"
            "  s_a --> t_end\n"
            "  classDef compensation stroke-dasharray: 5 5\n");
}

TEST(StepGraph, DefinitionTextIsEscaped) {
  ParseResult r = ParseWorkflow(
      "name: esc\nversion: 1\ninput: { s: string }\nsteps:\n  - id: a\n    activity: std.noop\n"
      "    when: \"${input.s == '\\\"<b>|#&' || input.s == 'x'}\"\n",
      "esc.yaml", nullptr);
  ASSERT_TRUE(r.ok()) << (r.diagnostics.empty() ? "" : r.diagnostics[0].ToString());
  std::string mermaid = RenderMermaid(BuildStepGraph(*r.def));
  EXPECT_NE(mermaid.find("when input.s == '#quot;#lt;b#gt;#124;#35;#amp;' #124;#124; input.s == 'x'\"]"),
            std::string::npos)
      << mermaid;
  std::string dot = RenderDot(BuildStepGraph(*r.def));
  EXPECT_NE(dot.find("when input.s == '\\\"<b>|#&' || input.s == 'x'\"]"), std::string::npos) << dot;
}

}  // namespace
}  // namespace steadfast
