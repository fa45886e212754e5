// plugins/example/outbox.h: a directory of delivered greetings, one file per idempotency key.
//
// It stands in for the outside service a real plugin would call (a mail
// gateway, a PSP). Like such a service it takes an idempotency key and
// answers a repeat with the first result, so the engine may run
// greeting.deliver again after a crash or a timeout without delivering twice.
#ifndef STEADFAST_EXAMPLE_OUTBOX_H_
#define STEADFAST_EXAMPLE_OUTBOX_H_

#include <string>
#include <utility>

#include "steadfast/status.h"
#include "steadfast/value.h"

namespace greeting {

struct Delivery {
  steadfast::Value record;  // what was delivered first under the key
  std::string file;         // where it lies
  bool replayed = false;    // true when an earlier call had delivered it already
};

class Outbox {
 public:
  explicit Outbox(std::string dir) : dir_(std::move(dir)) {}

  // Writes `record` as the file for `key` unless one exists, atomically: a
  // reader (or a concurrent call) sees the whole file or none. Returns the
  // delivery that holds for the key. Unavailable when the directory is
  // missing or not writable; Corruption when the existing file cannot be read
  // back. Thread-safe.
  steadfast::Result<Delivery> Deliver(const std::string& key, const steadfast::Value& record) const;

  // The file for `key`: the key percent-encoded, so every key gets its own
  // name and none can leave the directory.
  std::string PathFor(const std::string& key) const;

 private:
  std::string dir_;
};

}  // namespace greeting

#endif  // STEADFAST_EXAMPLE_OUTBOX_H_
