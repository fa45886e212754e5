// URL surgery with libcurl's URL parser (never by hand): the path of a URL
// edited in place, and a URL fit for log lines.
#ifndef STEADFAST_NET_URL_PARTS_H_
#define STEADFAST_NET_URL_PARTS_H_

#include <functional>
#include <optional>
#include <string>

namespace steadfast::net {

// `url` with its path replaced by edit(path) (query and fragment kept);
// nullopt when `url` cannot be parsed.
std::optional<std::string> EditUrlPath(const std::string& url, const std::function<std::string(std::string)>& edit);

// The URL as it may appear in a log line: user info, query and fragment can
// carry credentials, so they are removed. "(unparsable endpoint)" when it
// cannot be parsed.
std::string UrlForLogs(const std::string& url);

}  // namespace steadfast::net

#endif  // STEADFAST_NET_URL_PARTS_H_
