// Definition -> nodes and edges, and their Mermaid / DOT renderings.
#include "definition/step_graph.h"

#include "definition/duration.h"

namespace steadfast {
namespace {

constexpr const char* kStartId = "(start)";
constexpr const char* kEndId = "(end)";
constexpr const char* kFailId = "(fail)";

std::string CompensationId(const std::string& step) { return step + ".compensate"; }

// The node a jump word or step id leads to from step index i.
std::string ResolveTarget(const WorkflowDef& def, size_t i, const std::string& target) {
  if (target.empty() || target == kTargetContinue) {
    return i + 1 < def.steps.size() ? def.steps[i + 1].id : kEndId;
  }
  if (target == kTargetEnd) return kEndId;
  if (target == kTargetFail) return kFailId;
  return target;
}

// "sleep 3d", "sleep ${input.cool_off}", "until ${input.check_in}".
std::string TemplateText(const ValueTemplate& t) {
  std::string text;
  t.ForEachExpression([&](const Expression& e) { text += (text.empty() ? "" : " ") + ("${" + e.text() + "}"); });
  if (!text.empty()) return text;
  Result<Value> literal = t.Evaluate(Value());
  if (!literal.ok()) return "?";
  return literal->is_string() ? literal->AsString() : literal->ToJson();
}

std::string SleepDetail(const StepDef& s) {
  if (!s.until.is_null()) return "until " + TemplateText(s.until);
  if (!s.sleep_for.is_null()) return "sleep " + TemplateText(s.sleep_for);
  return "sleep " + FormatDurationMs(s.sleep_ms);
}

std::string StepDetail(const StepDef& s) {
  switch (s.kind) {
    case StepKind::kActivity:
      return s.activity;
    case StepKind::kSignal:
      return "signal: " + s.signal;
    case StepKind::kApproval:
      return s.required_approvals > 1 ? "approval (" + std::to_string(s.required_approvals) + " reviewers)"
                                      : "approval";
    case StepKind::kSleep:
      return SleepDetail(s);
    case StepKind::kContinueAsNew:
      return "continue as new";
    case StepKind::kChild:
      return "workflow: " + s.child_workflow +
             (s.child_version > 0 ? " v" + std::to_string(s.child_version) : std::string());
    case StepKind::kForEach:
      return "for each " + TemplateText(s.for_each) + ": " + s.child_workflow + " (" +
             std::to_string(s.concurrency) + " at once)";
    case StepKind::kParallel:
      return "parallel, join " + (s.join == 0 ? std::string("all") : s.join == 1 ? std::string("any")
                                                                                 : std::to_string(s.join));
  }
  return "";
}

GraphNodeKind NodeKindOf(StepKind kind) {
  switch (kind) {
    case StepKind::kActivity:
      return GraphNodeKind::kActivity;
    case StepKind::kSignal:
      return GraphNodeKind::kSignal;
    case StepKind::kApproval:
      return GraphNodeKind::kApproval;
    case StepKind::kSleep:
      return GraphNodeKind::kSleep;
    case StepKind::kContinueAsNew:
      return GraphNodeKind::kContinueAsNew;
    case StepKind::kChild:
      return GraphNodeKind::kChild;
    case StepKind::kParallel:
      return GraphNodeKind::kParallel;
    case StepKind::kForEach:
      return GraphNodeKind::kForEach;
  }
  return GraphNodeKind::kActivity;
}

// The label a node shows: its title, then its detail, then its condition.
std::vector<std::string> NodeLines(const GraphNode& n) {
  switch (n.kind) {
    case GraphNodeKind::kStart:
      return {"start"};
    case GraphNodeKind::kEnd:
      return {"end"};
    case GraphNodeKind::kFail:
      return {"fail"};
    case GraphNodeKind::kCompensation:
      return {"undo " + n.step, n.detail};
    default:
      break;
  }
  std::vector<std::string> lines = {n.step, n.detail};
  if (!n.when.empty()) lines.push_back((n.kind == GraphNodeKind::kApproval ? "holds when " : "when ") + n.when);
  return lines;
}

// Mermaid ids: s_<step>, c_<step>, t_start / t_end / t_fail ("end" alone is
// a Mermaid keyword; the prefixes keep every id a plain word).
std::string MermaidId(const std::string& id) {
  if (id == kStartId) return "t_start";
  if (id == kEndId) return "t_end";
  if (id == kFailId) return "t_fail";
  size_t dot = id.find('.');
  if (dot != std::string::npos) return "c_" + id.substr(0, dot);
  return "s_" + id;
}

// Mermaid quoted text: entity codes for the characters that end a quoted
// label or start markup, so a condition such as `a > 1 || b` renders as is.
std::string MermaidText(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "#quot;"; break;
      case '<': out += "#lt;"; break;
      case '>': out += "#gt;"; break;
      case '&': out += "#amp;"; break;
      case '#': out += "#35;"; break;
      case '|': out += "#124;"; break;
      case '\n': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

std::string DotText(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

std::string Join(const std::vector<std::string>& lines, std::string_view sep, std::string (*escape)(std::string_view)) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += sep;
    out += escape(lines[i]);
  }
  return out;
}

}  // namespace

std::string_view GraphNodeKindName(GraphNodeKind kind) {
  switch (kind) {
    case GraphNodeKind::kStart: return "start";
    case GraphNodeKind::kEnd: return "end";
    case GraphNodeKind::kFail: return "fail";
    case GraphNodeKind::kActivity: return "activity";
    case GraphNodeKind::kSignal: return "signal";
    case GraphNodeKind::kApproval: return "approval";
    case GraphNodeKind::kSleep: return "sleep";
    case GraphNodeKind::kContinueAsNew: return "continue_as_new";
    case GraphNodeKind::kChild: return "child_workflow";
    case GraphNodeKind::kParallel: return "parallel";
    case GraphNodeKind::kForEach: return "for_each";
    case GraphNodeKind::kCompensation: return "compensation";
  }
  return "?";
}

std::string_view GraphEdgeKindName(GraphEdgeKind kind) {
  switch (kind) {
    case GraphEdgeKind::kNext: return "next";
    case GraphEdgeKind::kSkip: return "skip";
    case GraphEdgeKind::kTimeout: return "timeout";
    case GraphEdgeKind::kReject: return "reject";
    case GraphEdgeKind::kCompensate: return "compensate";
  }
  return "?";
}

StepGraph BuildStepGraph(const WorkflowDef& def) {
  StepGraph g;
  g.workflow = def.name;
  g.version = def.version;
  g.nodes.push_back(GraphNode{kStartId, GraphNodeKind::kStart, "", "", ""});
  g.edges.push_back(GraphEdge{kStartId, def.steps.empty() ? kEndId : def.steps[0].id, GraphEdgeKind::kNext, ""});
  bool fail_used = false;
  auto edge = [&](const std::string& from, std::string to, GraphEdgeKind kind, std::string label) {
    if (to == kFailId) fail_used = true;
    g.edges.push_back(GraphEdge{from, std::move(to), kind, std::move(label)});
  };
  for (size_t i = 0; i < def.steps.size(); ++i) {
    const StepDef& s = def.steps[i];
    g.nodes.push_back(GraphNode{s.id, NodeKindOf(s.kind), s.id, StepDetail(s), s.when ? s.when->text() : ""});
    if (Compensable(s)) {
      const std::string undo = s.kind == StepKind::kActivity ? s.compensate : "compensate " + s.child_workflow;
      g.nodes.push_back(GraphNode{CompensationId(s.id), GraphNodeKind::kCompensation, s.id, undo, ""});
    }
    for (const StepDef& b : s.branches) {
      g.nodes.push_back(GraphNode{b.id, GraphNodeKind::kChild, b.id, StepDetail(b), ""});
      if (Compensable(b)) {
        g.nodes.push_back(GraphNode{CompensationId(b.id), GraphNodeKind::kCompensation, b.id,
                                    "compensate " + b.child_workflow, ""});
      }
    }
    std::string next = ResolveTarget(def, i, s.next);
    std::string timeout = "timeout " + FormatDurationMs(s.wait_timeout_ms);
    switch (s.kind) {
      case StepKind::kActivity:
        edge(s.id, next, GraphEdgeKind::kNext, "");
        break;
      case StepKind::kSleep:
        edge(s.id, next, GraphEdgeKind::kNext, "woke");
        break;
      case StepKind::kContinueAsNew:
        edge(s.id, kStartId, GraphEdgeKind::kNext, "new run");
        break;
      case StepKind::kChild:
        edge(s.id, next, GraphEdgeKind::kNext, "child completed");
        break;
      case StepKind::kForEach:
        edge(s.id, next, GraphEdgeKind::kNext, "all completed");
        break;
      case StepKind::kParallel:
        for (const StepDef& b : s.branches) {
          edge(s.id, b.id, GraphEdgeKind::kNext, "branch");
          edge(b.id, next, GraphEdgeKind::kNext, "joined");
          if (Compensable(b)) edge(b.id, CompensationId(b.id), GraphEdgeKind::kCompensate, "compensate");
        }
        break;
      case StepKind::kSignal:
        edge(s.id, next, GraphEdgeKind::kNext, "received");
        if (s.wait_timeout_ms > 0) edge(s.id, ResolveTarget(def, i, s.on_timeout), GraphEdgeKind::kTimeout, timeout);
        break;
      case StepKind::kApproval: {
        std::string rejected = ResolveTarget(def, i, s.on_reject);
        edge(s.id, next, GraphEdgeKind::kNext, "approved");
        edge(s.id, rejected, GraphEdgeKind::kReject, "rejected");
        if (s.wait_timeout_ms > 0) {
          // on_timeout approve / reject behave exactly as that decision would.
          bool word = s.on_timeout == "approve" || s.on_timeout == "reject";
          std::string to = s.on_timeout == "approve"  ? next
                           : s.on_timeout == "reject" ? rejected
                                                      : ResolveTarget(def, i, s.on_timeout);
          edge(s.id, to, GraphEdgeKind::kTimeout, word ? timeout + ": " + s.on_timeout : timeout);
        }
        break;
      }
    }
    if (s.when && s.kind != StepKind::kApproval) {
      edge(s.id, ResolveTarget(def, i, ""), GraphEdgeKind::kSkip, "skipped");
    }
    if (Compensable(s)) edge(s.id, CompensationId(s.id), GraphEdgeKind::kCompensate, "compensate");
  }
  g.nodes.push_back(GraphNode{kEndId, GraphNodeKind::kEnd, "", "", ""});
  if (fail_used) g.nodes.push_back(GraphNode{kFailId, GraphNodeKind::kFail, "", "", ""});
  return g;
}

std::string RenderMermaid(const StepGraph& g) {
  std::string out = "flowchart TD\n";
  for (const GraphNode& n : g.nodes) {
    std::string label = "\"" + Join(NodeLines(n), "<br/>", &MermaidText) + "\"";
    std::string shape;
    switch (n.kind) {
      case GraphNodeKind::kStart:
      case GraphNodeKind::kEnd:
        shape = "((" + label + "))";
        break;
      case GraphNodeKind::kFail:
        shape = "[[" + label + "]]";
        break;
      case GraphNodeKind::kActivity:
        shape = "[" + label + "]";
        break;
      case GraphNodeKind::kSignal:
        shape = "([" + label + "])";
        break;
      case GraphNodeKind::kApproval:
        shape = "{{" + label + "}}";
        break;
      case GraphNodeKind::kSleep:
        shape = "[/" + label + "/]";
        break;
      case GraphNodeKind::kContinueAsNew:
        shape = ">" + label + "]";
        break;
      case GraphNodeKind::kChild:
        shape = "[[" + label + "]]";
        break;
      case GraphNodeKind::kParallel:
        shape = "[/" + label + "\\]";
        break;
      case GraphNodeKind::kForEach:
        shape = "[[" + label + "]]";
        break;
      case GraphNodeKind::kCompensation:
        shape = "[" + label + "]:::compensation";
        break;
    }
    out += "  " + MermaidId(n.id) + shape + "\n";
  }
  for (const GraphEdge& e : g.edges) {
    std::string arrow;
    switch (e.kind) {
      case GraphEdgeKind::kCompensate: arrow = "-.->"; break;
      case GraphEdgeKind::kSkip: arrow = "-.->"; break;
      default: arrow = "-->";
    }
    std::string label = e.label.empty() ? "" : "|\"" + MermaidText(e.label) + "\"|";
    out += "  " + MermaidId(e.from) + " " + arrow + label + " " + MermaidId(e.to) + "\n";
  }
  out += "  classDef compensation stroke-dasharray: 5 5\n";
  return out;
}

std::string RenderDot(const StepGraph& g) {
  std::string out = "digraph \"" + DotText(g.workflow) + "\" {\n";
  out += "  rankdir=TB;\n";
  out += "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=10];\n";
  for (const GraphNode& n : g.nodes) {
    std::string attrs = "label=\"" + Join(NodeLines(n), "\\n", &DotText) + "\"";
    switch (n.kind) {
      case GraphNodeKind::kStart: attrs += ", shape=circle"; break;
      case GraphNodeKind::kEnd: attrs += ", shape=doublecircle"; break;
      case GraphNodeKind::kFail: attrs += ", shape=octagon"; break;
      case GraphNodeKind::kActivity: break;
      case GraphNodeKind::kSignal: attrs += ", shape=cds, style=\"\""; break;
      case GraphNodeKind::kApproval: attrs += ", shape=hexagon, style=\"\""; break;
      case GraphNodeKind::kSleep: attrs += ", shape=parallelogram, style=\"\""; break;
      case GraphNodeKind::kContinueAsNew: attrs += ", shape=rarrow, style=\"\""; break;
      case GraphNodeKind::kChild: attrs += ", shape=box3d, style=\"\""; break;
      case GraphNodeKind::kParallel: attrs += ", shape=trapezium, style=\"\""; break;
      case GraphNodeKind::kForEach: attrs += ", shape=box3d, peripheries=2, style=\"\""; break;
      case GraphNodeKind::kCompensation: attrs += ", style=\"dashed\""; break;
    }
    out += "  \"" + DotText(n.id) + "\" [" + attrs + "];\n";
  }
  for (const GraphEdge& e : g.edges) {
    std::string attrs;
    auto add = [&](const std::string& a) { attrs += (attrs.empty() ? "" : ", ") + a; };
    if (!e.label.empty()) add("label=\"" + DotText(e.label) + "\"");
    if (e.kind == GraphEdgeKind::kSkip) add("style=dotted");
    if (e.kind == GraphEdgeKind::kCompensate) add("style=dashed, arrowhead=empty");
    out += "  \"" + DotText(e.from) + "\" -> \"" + DotText(e.to) + "\"" + (attrs.empty() ? "" : " [" + attrs + "]") +
           ";\n";
  }
  out += "}\n";
  return out;
}

Value StepGraphToValue(const StepGraph& g) {
  Value::List nodes;
  for (const GraphNode& n : g.nodes) {
    nodes.push_back(Value::Map{{"id", n.id},
                               {"kind", std::string(GraphNodeKindName(n.kind))},
                               {"step", n.step},
                               {"detail", n.detail},
                               {"when", n.when}});
  }
  Value::List edges;
  for (const GraphEdge& e : g.edges) {
    edges.push_back(Value::Map{
        {"from", e.from}, {"to", e.to}, {"kind", std::string(GraphEdgeKindName(e.kind))}, {"label", e.label}});
  }
  return Value::Map{{"workflow", g.workflow},
                    {"version", g.version},
                    {"nodes", Value(std::move(nodes))},
                    {"edges", Value(std::move(edges))}};
}

}  // namespace steadfast
