// Four-eyes: the requesters of an instance and the check against a decider.
#include "runtime/four_eyes.h"

#include <cctype>

namespace steadfast {
namespace {

// Principal names as compared: trimmed, ASCII lower case.
std::string Canonical(std::string_view name) {
  size_t begin = 0, end = name.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(name[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(name[end - 1]))) --end;
  std::string out(name.substr(begin, end - begin));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Describe(std::string_view role) {
  if (role == "started") return "started this workflow";
  if (role == "requested_by") return "is this workflow's requester (requested_by)";
  return "is named as the requester in this workflow's input (input.requested_by)";
}

}  // namespace

std::vector<Requester> Requesters(const InstanceRecord& rec) {
  std::vector<Requester> out;
  if (!rec.started_by.empty()) out.push_back({rec.started_by, "started"});
  if (!rec.requested_by.empty()) out.push_back({rec.requested_by, "requested_by"});
  const Value& in_input = rec.input.Get("requested_by");
  if (in_input.is_string() && !Canonical(in_input.AsString()).empty()) {
    out.push_back({in_input.AsString(), "input.requested_by"});
  }
  return out;
}

Status CheckFourEyes(const InstanceRecord& rec, std::string_view decider) {
  const std::string who = Canonical(decider);
  for (const Requester& r : Requesters(rec)) {
    if (Canonical(r.name) != who) continue;
    return Status::PermissionDenied("four_eyes: '" + std::string(decider) + "' " + std::string(Describe(r.role)) +
                                    " and cannot decide on it; another reviewer must");
  }
  return Status::Ok();
}

}  // namespace steadfast
