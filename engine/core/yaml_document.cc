// The YAML reader behind steadfast/yaml_document.h: yaml-cpp parses, its
// tree is copied into YamlNodes, and its exceptions stop here.
#include "steadfast/yaml_document.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <fstream>
#include <sstream>

#include "core/yaml_cpp.h"

namespace steadfast {

YamlPosition YamlPositionOf(const YAML::Mark& mark, std::string file) {
  YamlPosition p{std::move(file)};
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return p;
  p.line = mark.line + 1;
  p.column = mark.column + 1;
  p.offset = mark.pos;
  return p;
}

namespace {

// Sees only where each document starts and where its root node is.
class DocumentStarts final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { Node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    Node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    Node(mark);
  }
  void OnMapEnd() override {}

  std::vector<YAML::Mark> starts;  // each document's start
  std::vector<YAML::Mark> roots;   // each document's root node

 private:
  void Node(const YAML::Mark& mark) {
    if (roots.size() < starts.size()) roots.push_back(mark);
  }
};

}  // namespace

// Not YAML::LoadAll: in yaml-cpp 0.7 it never returns on some malformed
// streams (a stray ',' after a scalar, jbeder/yaml-cpp#1040, fixed upstream
// by #1319): the parser keeps reporting an empty document at the same
// place and LoadAll collects them until memory runs out. Found by the
// fuzzers (tests/fuzz/corpus/*/regress-yaml-stray-comma*). Callers need
// the first document and to know whether a second one follows, so: load
// the first alone (YAML::Load reads one document), then count documents
// with the event parser, stopping at the second. A "second document" that
// does not start with "---" is such a parser stall: a syntax error there.
YamlCppDocuments LoadYamlCppDocuments(std::string_view text) {
  YamlCppDocuments out;
  try {
    const std::string owned(text);
    out.document = YAML::Load(owned);
    std::istringstream in(owned);
    YAML::Parser parser(in);
    DocumentStarts starts;
    while (starts.starts.size() < 2 && parser.HandleNextDocument(starts)) {
    }
    if (starts.starts.size() == 2) {
      const YAML::Mark& second = starts.starts[1];
      if (second.pos >= 0 && owned.compare(static_cast<size_t>(second.pos), 3, "---") == 0) {
        out.second_document_at = YamlPositionOf(starts.roots.size() == 2 ? starts.roots[1] : second);
      } else {
        out.document = YAML::Node();
        out.failed = true;
        out.error_at = YamlPositionOf(second);
        out.error = "unexpected character (a stray ',' or an unclosed flow collection?)";
      }
    }
  } catch (const YAML::DeepRecursion& e) {
    out.document = YAML::Node();
    out.failed = true;
    out.too_deep = true;
    out.error_at = YamlPositionOf(e.mark);
  } catch (const YAML::Exception& e) {
    out.document = YAML::Node();
    out.failed = true;
    out.error_at = YamlPositionOf(e.mark);
    out.error = e.msg;
  }
  return out;
}

std::string YamlPosition::ToString() const {
  if (!known()) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

Status YamlError(const YamlPosition& at, std::string_view message) {
  return Status::InvalidArgument(at.ToString() + ": " + std::string(message));
}

std::string_view YamlNode::KindName() const {
  switch (kind_) {
    case YamlKind::kNull: return "null";
    case YamlKind::kScalar: return "a scalar";
    case YamlKind::kList: return "a list";
    case YamlKind::kMap: return "a mapping";
  }
  return "null";
}

size_t YamlNode::size() const { return kind_ == YamlKind::kList ? items_.size() : entries_.size(); }

const YamlNode* YamlNode::Find(std::string_view key) const {
  for (const YamlEntry& e : entries_) {
    if (e.key.IsScalar() && e.key.scalar() == key) return &e.value;
  }
  return nullptr;
}

YamlPosition YamlNode::position() const {
  return YamlPosition{file_ != nullptr ? *file_ : std::string(), line_, column_, offset_};
}

Status YamlNode::Error(std::string_view message) const { return YamlError(position(), message); }

namespace {

// " (got 'text')", " (got a list)", ...
std::string Got(const YamlNode& n) {
  if (n.IsScalar()) return " (got '" + n.scalar() + "')";
  return " (got " + std::string(n.KindName()) + ")";
}

// The plain-scalar typing of ToValue: an int when all of s is one in base 10.
bool WholeInt(const std::string& s, int64_t& out) {
  std::string_view body = s;
  if (!body.empty() && body.front() == '+') {
    body.remove_prefix(1);
    if (!body.empty() && (body.front() == '+' || body.front() == '-')) return false;
  }
  if (body.empty()) return false;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), out);
  return ec == std::errc() && end == body.data() + body.size();
}

}  // namespace

Result<std::string> YamlNode::AsString() const {
  if (!IsScalar()) return Error("expected a string" + Got(*this));
  return scalar_;
}

Result<int64_t> YamlNode::AsInt() const {
  int64_t v = 0;
  if (!IsScalar() || !WholeInt(scalar_, v)) return Error("expected a whole number" + Got(*this));
  return v;
}

Result<double> YamlNode::AsDouble() const {
  if (IsScalar()) {
    std::string_view body = scalar_;
    if (!body.empty() && body.front() == '+') body.remove_prefix(1);
    double d = 0;
    auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), d);
    if (!body.empty() && ec == std::errc() && end == body.data() + body.size() && std::isfinite(d)) return d;
  }
  return Error("expected a number" + Got(*this));
}

Result<bool> YamlNode::AsBool() const {
  if (IsScalar() && scalar_ == "true") return true;
  if (IsScalar() && scalar_ == "false") return false;
  return Error("expected true or false" + Got(*this));
}

Result<Value> YamlNode::ToValue() const {
  switch (kind_) {
    case YamlKind::kNull: return Value();
    case YamlKind::kList: {
      Value::List list;
      list.reserve(items_.size());
      for (const YamlNode& item : items_) {
        SF_ASSIGN_OR_RETURN(Value v, item.ToValue());
        list.push_back(std::move(v));
      }
      return Value(std::move(list));
    }
    case YamlKind::kMap: {
      Value::Map map;
      for (const YamlEntry& e : entries_) {
        if (!e.key.IsScalar()) return e.key.Error("mapping keys must be scalars" + Got(e.key));
        SF_ASSIGN_OR_RETURN(Value v, e.value.ToValue());
        map.emplace(e.key.scalar(), std::move(v));
      }
      return Value(std::move(map));
    }
    case YamlKind::kScalar: break;
  }
  if (!quoted_) {
    int64_t i = 0;
    if (WholeInt(scalar_, i)) return Value(i);
    if (scalar_ == "true") return Value(true);
    if (scalar_ == "false") return Value(false);
  }
  return Value(scalar_);
}

// Copies a yaml-cpp tree into YamlNodes, within the depth and node limits.
class YamlTreeBuilder {
 public:
  explicit YamlTreeBuilder(std::shared_ptr<const std::string> file) : file_(std::move(file)) {}

  Result<YamlNode> Copy(const YAML::Node& from, int depth) {
    YamlNode to;
    to.file_ = file_;
    const YamlPosition at = YamlPositionOf(from.Mark());
    to.line_ = at.line;
    to.column_ = at.column;
    to.offset_ = at.offset;
    if (++nodes_ > kMaxYamlNodes) {
      return to.Error("YAML document too large: more than " + std::to_string(kMaxYamlNodes) +
                      " nodes once aliases are expanded");
    }
    const std::string& tag = from.Tag();
    if (tag != "?" && tag != "!") to.tag_ = tag;
    switch (from.Type()) {
      case YAML::NodeType::Scalar:
        to.kind_ = YamlKind::kScalar;
        to.scalar_ = from.Scalar();
        to.quoted_ = tag == "!";
        return to;
      case YAML::NodeType::Sequence:
      case YAML::NodeType::Map:
        if (depth + 1 > kMaxYamlDepth) return TooDeep(to.position());
        if (from.IsSequence()) {
          to.kind_ = YamlKind::kList;
          to.items_.reserve(from.size());
          for (const YAML::Node& item : from) {
            SF_ASSIGN_OR_RETURN(YamlNode copy, Copy(item, depth + 1));
            to.items_.push_back(std::move(copy));
          }
        } else {
          to.kind_ = YamlKind::kMap;
          to.entries_.reserve(from.size());
          for (auto it = from.begin(); it != from.end(); ++it) {
            // Copies: the iterator hands out a temporary pair (Nodes are handles).
            const YAML::Node key = it->first;
            const YAML::Node value = it->second;
            SF_ASSIGN_OR_RETURN(YamlNode k, Copy(key, depth + 1));
            SF_ASSIGN_OR_RETURN(YamlNode v, Copy(value, depth + 1));
            to.entries_.push_back(YamlEntry{std::move(k), std::move(v)});
          }
        }
        return to;
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined: return to;
    }
    return to;
  }

  static Status TooDeep(const YamlPosition& at) {
    return YamlError(at, "YAML nested too deeply (more than " + std::to_string(kMaxYamlDepth) +
                             " levels of lists and maps; an alias inside its own anchor never ends)");
  }

 private:
  std::shared_ptr<const std::string> file_;
  int nodes_ = 0;
};

Result<YamlNode> ParseYaml(std::string_view text, std::string_view source_name) {
  auto file = std::make_shared<const std::string>(source_name);
  YamlCppDocuments parsed = LoadYamlCppDocuments(text);
  if (parsed.failed) {
    parsed.error_at.file = *file;
    return parsed.too_deep ? YamlTreeBuilder::TooDeep(parsed.error_at) : YamlError(parsed.error_at, parsed.error);
  }
  if (parsed.second_document_at) {
    parsed.second_document_at->file = *file;
    return YamlError(*parsed.second_document_at, "only one YAML document per file (remove '---' and what follows)");
  }
  YamlTreeBuilder builder(file);
  return builder.Copy(parsed.document, 0);
}

namespace {

// The last few files read, with their exact text. yaml-cpp reads a few MB/s
// and the same configuration is read again whenever an engine is opened
// again in one process (the simulation reopens it after every crash, about
// seven times a seed). A hit needs the same path and byte-identical text, so
// an edited file is always parsed afresh; a node is a plain value, so the
// caller gets its own copy.
class RecentYamlFiles {
 public:
  std::optional<YamlNode> Find(const std::string& path, const std::string& text) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Entry& e : entries_) {
      if (e.path == path && e.text == text) return e.root;
    }
    return std::nullopt;
  }

  void Keep(const std::string& path, std::string text, const YamlNode& root) {
    if (text.size() > kMaxTextBytes) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.size() == kMaxEntries) entries_.erase(entries_.begin());
    entries_.push_back(Entry{path, std::move(text), root});
  }

 private:
  static constexpr size_t kMaxEntries = 16;
  static constexpr size_t kMaxTextBytes = 256 * 1024;
  struct Entry {
    std::string path;
    std::string text;
    YamlNode root;
  };
  std::mutex mu_;
  std::vector<Entry> entries_;
};

RecentYamlFiles& Recent() {
  static RecentYamlFiles* recent = new RecentYamlFiles();  // never destroyed: read at any exit
  return *recent;
}

}  // namespace

Result<YamlNode> LoadYamlFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Status::NotFound("cannot read '" + path + "': is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read '" + path + "': " + std::strerror(errno));
  std::ostringstream read;
  read << in.rdbuf();
  if (in.bad()) return Status::NotFound("cannot read '" + path + "'");
  std::string text = std::move(read).str();
  if (std::optional<YamlNode> seen = Recent().Find(path, text)) return *std::move(seen);
  Result<YamlNode> parsed = ParseYaml(text, path);
  if (parsed.ok()) Recent().Keep(path, std::move(text), parsed.value());
  return parsed;
}

}  // namespace steadfast
