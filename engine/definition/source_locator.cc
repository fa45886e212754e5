// Offset -> line:column mapping for YAML scalars (plain, quoted, block).
#include "definition/source_locator.h"

#include <cstdint>

namespace steadfast {
namespace {

// A position in the source that keeps line and column in step with the byte
// offset as it advances.
class Cursor {
 public:
  Cursor(std::string_view s, size_t pos, int line, int col) : s_(s), i_(pos), line_(line), col_(col) {}

  bool done() const { return i_ >= s_.size(); }
  char cur() const { return done() ? '\0' : s_[i_]; }
  char at(size_t ahead) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }
  void Step() {
    if (done()) return;
    if (s_[i_] == '\n') {
      ++line_;
      col_ = 0;
    } else {
      ++col_;
    }
    ++i_;
  }
  void Step(size_t n) {
    for (size_t k = 0; k < n; ++k) Step();
  }
  void SkipBlanks() {
    while (cur() == ' ' || cur() == '\t') Step();
  }
  void SkipSpace() {
    while (cur() == ' ' || cur() == '\t' || cur() == '\n' || cur() == '\r') Step();
  }
  SourceLocation location() const { return SourceLocation{line_ + 1, col_ + 1}; }

 private:
  std::string_view s_;
  size_t i_;
  int line_;
  int col_;
};

int HexValue(Cursor& c, size_t from, size_t count, uint32_t& out) {
  out = 0;
  for (size_t k = 0; k < count; ++k) {
    char h = c.at(from + k);
    int v = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
    if (v < 0) return -1;
    out = out * 16 + static_cast<uint32_t>(v);
  }
  return 0;
}

int Utf8Length(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

// Source and decoded lengths of the double-quoted escape at the cursor.
void EscapeLengths(Cursor& c, size_t& source_len, int& decoded_len) {
  uint32_t cp = 0;
  switch (c.at(1)) {
    case 'x': source_len = 4; decoded_len = HexValue(c, 2, 2, cp) == 0 ? Utf8Length(cp) : 1; return;
    case 'u': source_len = 6; decoded_len = HexValue(c, 2, 4, cp) == 0 ? Utf8Length(cp) : 1; return;
    case 'U': source_len = 10; decoded_len = HexValue(c, 2, 8, cp) == 0 ? Utf8Length(cp) : 1; return;
    case 'N':
    case '_': source_len = 2; decoded_len = 2; return;
    case 'L':
    case 'P': source_len = 2; decoded_len = 3; return;
    default: source_len = 2; decoded_len = 1; return;
  }
}

}  // namespace

SourceLocator::SourceLocator(std::string_view source) : source_(source) {
  // yaml-cpp does not count a UTF-8 byte-order mark in line 1's columns.
  line_starts_.push_back(source_.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0);
  for (size_t i = 0; i < source_.size(); ++i) {
    if (source_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

SourceLocation SourceLocator::At(const YamlPosition& node) const {
  if (!node.known()) return SourceLocation{};
  return SourceLocation{node.line, node.column};
}

SourceLocation SourceLocator::AtOffset(const YamlPosition& node, int offset) const {
  // Start from line and column rather than the byte offset: they are what
  // the user sees, and a byte-order mark would shift the offset.
  if (!node.known() || node.column < 1 || static_cast<size_t>(node.line) > line_starts_.size()) return At(node);
  const int line = node.line - 1;  // the cursor counts from 0
  const int column = node.column - 1;
  size_t pos = line_starts_[static_cast<size_t>(line)] + static_cast<size_t>(column);
  if (pos >= source_.size()) return At(node);
  Cursor c(source_, pos, line, column);
  // Anchors and tags come before the scalar itself: "&a 'text'", "!!str x".
  while (c.cur() == '&' || c.cur() == '!') {
    while (!c.done() && c.cur() != ' ' && c.cur() != '\t' && c.cur() != '\n') c.Step();
    c.SkipSpace();
  }
  int decoded = 0;
  const char style = c.cur();
  if (style == '"' || style == '\'') {
    c.Step();
    while (decoded < offset && !c.done()) {
      char ch = c.cur();
      if (ch == style) {
        if (style == '\'' && c.at(1) == '\'') {
          c.Step(2);
          ++decoded;
          continue;
        }
        break;  // the closing quote
      }
      if (style == '"' && ch == '\\') {
        if (c.at(1) == '\n') {  // escaped line break: joins lines, decodes to nothing
          c.Step(2);
          c.SkipBlanks();
          continue;
        }
        size_t source_len = 2;
        int decoded_len = 1;
        EscapeLengths(c, source_len, decoded_len);
        if (decoded + decoded_len > offset) break;
        c.Step(source_len);
        decoded += decoded_len;
        continue;
      }
      if (ch == '\n') {  // a line fold decodes to one character
        c.Step();
        c.SkipBlanks();
        ++decoded;
        continue;
      }
      c.Step();
      ++decoded;
    }
    return c.location();
  }
  if (style == '|' || style == '>') {
    while (!c.done() && c.cur() != '\n') c.Step();
    c.Step();
    // The block's indentation is that of its first non-blank line.
    Cursor probe = c;
    int indent = 0;
    for (;;) {
      int spaces = 0;
      while (probe.cur() == ' ') {
        probe.Step();
        ++spaces;
      }
      if (probe.cur() == '\n') {
        probe.Step();
        continue;
      }
      indent = spaces;
      break;
    }
    auto skip_indent = [&c, indent]() {
      for (int k = 0; k < indent && c.cur() == ' '; ++k) c.Step();
    };
    skip_indent();
    while (decoded < offset && !c.done()) {
      bool newline = c.cur() == '\n';
      c.Step();
      ++decoded;
      if (newline) skip_indent();
    }
    return c.location();
  }
  // Plain scalar: one-to-one except where it folds over lines.
  while (decoded < offset && !c.done()) {
    if (c.cur() == '\n') {
      c.Step();
      c.SkipBlanks();
    } else {
      c.Step();
    }
    ++decoded;
  }
  return c.location();
}

}  // namespace steadfast
