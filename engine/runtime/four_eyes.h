// Four-eyes: who may not approve or reject an instance's held step.
//
// Everyone who took part in asking for the instance is one of its
// requesters, and no requester may decide on it:
//  - started_by: the principal that made the start call (an HTTP token's
//    name, the CLI's user), so an admin who names someone else as the
//    requester still cannot approve alone;
//  - requested_by: the requester the start declared (the starting
//    principal itself, or the person an admin named);
//  - input.requested_by, when it is a string: the person a bot or an agent
//    asked on behalf of, who must not approve what they asked for.
// Names compare ignoring ASCII case and surrounding white space: "Carol "
// in an input is the reviewer carol.
#ifndef STEADFAST_RUNTIME_FOUR_EYES_H_
#define STEADFAST_RUNTIME_FOUR_EYES_H_

#include <string>
#include <string_view>
#include <vector>

#include "steadfast/status.h"
#include "store/store.h"

namespace steadfast {

// How a principal took part in the request, and the name it used.
struct Requester {
  std::string name;
  std::string_view role;  // "started", "requested_by", "input.requested_by"
};

// The requesters of an instance, in the order above; empty names left out.
std::vector<Requester> Requesters(const InstanceRecord& rec);

// Ok when `decider` is none of the requesters; else PermissionDenied
// "four_eyes: ..." saying how the decider took part.
Status CheckFourEyes(const InstanceRecord& rec, std::string_view decider);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_FOUR_EYES_H_
