// ExpressionScope: the names an expression's paths start from (input, steps,
// workflow, item, ...), each bound to a value owned elsewhere.
//
// Binding by reference is the point: an instance's input may hold a list of
// thousands of items (a for_each) and its step outputs grow with the steps,
// so evaluating `${input.order.id}` must not copy either of them. A scope
// is built per evaluation from data that outlives it (InstanceScope binds
// the loaded instance's fields); small derived values (the `workflow` map)
// are kept by the scope itself.
#ifndef STEADFAST_DEFINITION_EXPRESSION_SCOPE_H_
#define STEADFAST_DEFINITION_EXPRESSION_SCOPE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "steadfast/value.h"

namespace steadfast {

class ExpressionScope {
 public:
  ExpressionScope() = default;
  // Every entry of map (a Value map; anything else binds nothing) as a
  // root. Implicit so that a scope written as a Value map (tests, the
  // simulator) still works; map must outlive the scope.
  ExpressionScope(const Value& map);  // NOLINT(google-explicit-constructor)

  // name reads *value; value must outlive the scope. A name bound again
  // is rebound.
  ExpressionScope& Bind(std::string_view name, const Value* value);
  // name reads a map given as its entries (an instance's step outputs).
  ExpressionScope& Bind(std::string_view name, const Value::Map* entries);
  // name reads value, kept by the scope.
  ExpressionScope& Set(std::string_view name, Value value);

  // What path names: nullptr when absent. A path of just a map-entries
  // root has no Value to point at; such a read copies into *copy (and is
  // nullptr without one).
  const Value* Find(const std::vector<std::string>& path, Value* copy) const;

 private:
  struct Root {
    std::string name;
    const Value* value = nullptr;
    const Value::Map* entries = nullptr;
    std::shared_ptr<const Value> kept;  // shared: a scope stays copyable
  };
  Root& RootNamed(std::string_view name);

  std::vector<Root> roots_;
};

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_EXPRESSION_SCOPE_H_
