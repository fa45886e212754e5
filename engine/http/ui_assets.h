// The reviewer page's files (engine/http/ui/), compiled into the binary.
//
// embed_files.py turns index.html, app.js, console.js and style.css into byte arrays at
// build time, so the page always matches the API of the binary serving it
// and nothing has to be installed beside `steadfast`. ApiHandler serves them
// at /ui/ and /ui/<name>; only these exact names exist, so no path from a
// request ever reaches the file system.
#ifndef STEADFAST_HTTP_UI_ASSETS_H_
#define STEADFAST_HTTP_UI_ASSETS_H_

#include <optional>
#include <string_view>
#include <vector>

namespace steadfast::http {

struct EmbeddedFile {
  std::string_view name;  // base name, e.g. "app.js"
  std::string_view body;  // the bytes, static storage
};

// Every embedded file (generated source).
const std::vector<EmbeddedFile>& EmbeddedFiles();

struct UiFile {
  std::string_view body;
  std::string_view content_type;  // "text/html; charset=utf-8", ...
};

// The file called `name` ("" means index.html), or nullopt.
std::optional<UiFile> FindUiFile(std::string_view name);

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_UI_ASSETS_H_
