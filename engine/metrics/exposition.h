// The Prometheus text exposition format (version 0.0.4), the pieces every
// metric type shares: escaping, number formatting, one sample line.
//
//   # HELP name text          (text: \ and newline escaped)
//   # TYPE name counter|gauge|histogram
//   name{label="value",...} 42
// Label values escape \, " and newline; numbers are shortest round-trip
// decimals, with +Inf, -Inf and NaN spelled as Prometheus expects.
#ifndef STEADFAST_METRICS_EXPOSITION_H_
#define STEADFAST_METRICS_EXPOSITION_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace steadfast::metrics {

// The content type of a /metrics answer in this format.
inline constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

// A label value with \ -> \\, " -> \" and newline -> \n.
std::string EscapeLabelValue(std::string_view value);
// HELP text with \ -> \\ and newline -> \n (quotes stay as they are).
std::string EscapeHelp(std::string_view help);
// 42, 0.25, 1e+21, +Inf, -Inf, NaN.
std::string FormatValue(double v);
// `a="x",b="y"` (no braces) from names and values of equal length.
std::string RenderLabels(const std::vector<std::string>& names, const std::vector<std::string>& values);
// Appends `name{labels} value\n` (no braces when labels is empty).
void AppendSample(std::string& out, std::string_view name, std::string_view labels, double value);

// Whether `name` is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or,
// with label = true, a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not
// starting with "__").
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

}  // namespace steadfast::metrics

#endif  // STEADFAST_METRICS_EXPOSITION_H_
