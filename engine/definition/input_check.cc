// Input checks against the declared input fields.
#include "definition/input_check.h"

#include <string>
#include <string_view>

namespace steadfast {
namespace {

bool TypeMatches(InputType type, const Value& v) {
  switch (type) {
    case InputType::kAny: return true;
    case InputType::kString: return v.is_string();
    case InputType::kInt: return v.is_int();
    case InputType::kNumber: return v.is_number();
    case InputType::kBool: return v.is_bool();
    case InputType::kMap: return v.is_map();
    case InputType::kList: return v.is_list();
  }
  return false;
}

std::string_view InputTypeName(InputType type) {
  switch (type) {
    case InputType::kAny: return "any";
    case InputType::kString: return "string";
    case InputType::kInt: return "int";
    case InputType::kNumber: return "number";
    case InputType::kBool: return "bool";
    case InputType::kMap: return "map";
    case InputType::kList: return "list";
  }
  return "?";
}

}  // namespace

Status ValidateInput(const WorkflowDef& def, const Value& input) {
  if (!input.is_map()) {
    return Status::InvalidArgument("input must be a JSON object, not " + std::string(Value::TypeName(input.type())));
  }
  for (const InputField& f : def.input) {
    const Value* v = input.Find(f.name);
    if (v == nullptr || v->is_null()) {
      if (f.required) return Status::InvalidArgument("input: missing required field '" + f.name + "'");
      continue;
    }
    if (!TypeMatches(f.type, *v)) {
      return Status::InvalidArgument("input: field '" + f.name + "' must be " + std::string(InputTypeName(f.type)) +
                                     ", got " + std::string(Value::TypeName(v->type())));
    }
  }
  return Status::Ok();
}

}  // namespace steadfast
