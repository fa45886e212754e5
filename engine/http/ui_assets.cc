// Lookup and content types of the embedded /ui/ files.
#include "http/ui_assets.h"

namespace steadfast::http {
namespace {

std::string_view ContentTypeOf(std::string_view name) {
  auto ends_with = [&](std::string_view ext) {
    return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

}  // namespace

std::optional<UiFile> FindUiFile(std::string_view name) {
  if (name.empty()) name = "index.html";
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    if (f.name == name) return UiFile{f.body, ContentTypeOf(f.name)};
  }
  return std::nullopt;
}

}  // namespace steadfast::http
