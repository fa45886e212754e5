// Test helper: YAML nodes -> steadfast::Value, so that test data files can
// hold reservations and activity inputs.
//
// Quoted scalars stay strings; plain scalars become null (~, null), bool
// (true, false), int (fits int64) or double (a decimal number, so tests can
// check that money never arrives as floating point), else string.
#ifndef STEADFAST_TESTS_UNIT_REFUND_YAML_VALUE_H_
#define STEADFAST_TESTS_UNIT_REFUND_YAML_VALUE_H_

#include <string>

#include <yaml-cpp/yaml.h>

#include "steadfast/value.h"

namespace steadfast::refund::testing {

Value YamlToValue(const YAML::Node& node);

// The source root passed by meson (-DSTEADFAST_SOURCE_ROOT=...), plus `relative`.
std::string SourcePath(const std::string& relative);

}  // namespace steadfast::refund::testing

#endif  // STEADFAST_TESTS_UNIT_REFUND_YAML_VALUE_H_
