// YamlNode: a YAML document read into a tree that remembers where each node
// was written, so that a configuration error can say "file:line:col: ...".
//
// One reader serves the engine's own configuration, the workflow loader's
// neighbours and every plugin's configuration files (a plugin sees only
// this header, not the YAML library behind it). The tree is copied out of
// the parser once: after ParseYaml or LoadYamlFile returns, nothing throws,
// and a node is a plain value that can be kept, copied and read from any
// thread.
//
// Limits, so that a hostile or broken file cannot exhaust memory or the
// stack: at most kMaxYamlDepth lists and maps deep, and at most kMaxYamlNodes
// nodes once aliases are expanded (an alias is copied where it is used; one
// that contains itself is endlessly deep and refused).
#ifndef STEADFAST_YAML_DOCUMENT_H_
#define STEADFAST_YAML_DOCUMENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast {

inline constexpr int kMaxYamlDepth = 256;       // lists and maps around the deepest node
inline constexpr int kMaxYamlNodes = 200'000;   // keys, values and items, aliases expanded

// Where a node starts in its source.
struct YamlPosition {
  std::string file;     // the source name given to the loader (a path, "<stdin>", ...)
  int line = 0;         // 1-based; 0 = unknown (e.g. the root of an empty document)
  int column = 0;       // 1-based
  int64_t offset = -1;  // 0-based byte offset in the source; -1 = unknown

  bool known() const { return line > 0; }
  // "file:line:col", or "file" alone when the position is unknown.
  std::string ToString() const;
};

// InvalidArgument "file:line:col: message" ("file: message" when the
// position is unknown): the one shape of every YAML error the engine shows.
Status YamlError(const YamlPosition& at, std::string_view message);

enum class YamlKind : int {
  kNull = 0,    // "~", "null", or nothing at all ("key:" with no value)
  kScalar = 1,  // text, quoted or not
  kList = 2,
  kMap = 3,
};

struct YamlEntry;

class YamlNode {
 public:
  YamlNode() = default;  // a null node at an unknown position

  YamlKind kind() const { return kind_; }
  bool IsNull() const { return kind_ == YamlKind::kNull; }
  bool IsScalar() const { return kind_ == YamlKind::kScalar; }
  bool IsList() const { return kind_ == YamlKind::kList; }
  bool IsMap() const { return kind_ == YamlKind::kMap; }
  // "null", "a scalar", "a list" or "a mapping", for messages.
  std::string_view KindName() const;

  // A scalar's decoded text (quotes, escapes and block indentation removed);
  // "" for every other kind.
  const std::string& scalar() const { return scalar_; }
  // True for a scalar written quoted ('x', "x") or as a block (| or >):
  // YAML says such a scalar is always a string, never a number or bool.
  bool quoted() const { return quoted_; }
  // The explicit tag written on the node, resolved ("!!str 5" gives
  // "tag:yaml.org,2002:str"); "" when none was written.
  const std::string& tag() const { return tag_; }

  // A list's items; empty for every other kind.
  const std::vector<YamlNode>& items() const { return items_; }
  // A mapping's entries in document order (a repeated key is kept twice);
  // empty for every other kind.
  const std::vector<YamlEntry>& entries() const { return entries_; }
  // Items of a list, entries of a mapping, else 0.
  size_t size() const;
  // The value of the first entry whose key is the scalar `key`; nullptr
  // when there is none or this is not a mapping. The pointer lives as long
  // as this node.
  const YamlNode* Find(std::string_view key) const;

  // Where the node starts. For a value left empty ("key:"), the parser puts
  // it at the next token, which may be lines further on.
  YamlPosition position() const;
  // YamlError(position(), message).
  Status Error(std::string_view message) const;

  // Typed reads; each refuses another kind with Error("expected ..., got ...").
  // The text decides, quoted or not ("5" and 5 both read as 5).
  Result<std::string> AsString() const;  // a scalar's text
  Result<int64_t> AsInt() const;         // decimal, optional sign, fits in int64
  Result<double> AsDouble() const;       // a finite decimal number (1, 2.5, 1e3)
  Result<bool> AsBool() const;           // true or false

  // The node as a Value. Null is null, a list a list, a mapping a map (its
  // keys must be scalars; where a key repeats, the first wins). A quoted
  // scalar is a string; a plain one is an int when all of it reads as a
  // base-10 int64 ("42", "-7", "+3"), else true or false for exactly "true"
  // and "false", else a string ("1.5", "yes" and "0x10" stay strings).
  // Explicit tags do not change this.
  Result<Value> ToValue() const;

 private:
  friend class YamlTreeBuilder;  // fills nodes in (engine/core/yaml_document.cc)

  YamlKind kind_ = YamlKind::kNull;
  std::string scalar_;
  bool quoted_ = false;
  std::string tag_;
  std::vector<YamlNode> items_;
  std::vector<YamlEntry> entries_;
  std::shared_ptr<const std::string> file_;  // shared by every node of a document
  int line_ = 0;
  int column_ = 0;
  int64_t offset_ = -1;
};

struct YamlEntry {
  YamlNode key;    // usually a scalar; YAML allows any node
  YamlNode value;
};

// Parses the first (and only) document in `text`; `source_name` names it in
// positions and messages. An empty text gives a null root. Errors are
// InvalidArgument "source_name:line:col: ...": YAML syntax, more than one
// document, nesting deeper than kMaxYamlDepth, more than kMaxYamlNodes.
Result<YamlNode> ParseYaml(std::string_view text, std::string_view source_name);

// Reads the file at `path` and parses it, with `path` as the source name.
// NotFound "cannot read 'path': reason" when the file cannot be read (callers
// may word that their own way); otherwise as ParseYaml.
Result<YamlNode> LoadYamlFile(const std::string& path);

}  // namespace steadfast

#endif  // STEADFAST_YAML_DOCUMENT_H_
