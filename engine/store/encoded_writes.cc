// Encoding a write's Values (store/encoded_writes.h).
#include "store/encoded_writes.h"

#include <utility>

#include "steadfast/value_codec.h"

namespace steadfast {
namespace {

Result<std::vector<std::string>> EncodeEvents(const std::vector<HistoryEvent>& events) {
  std::vector<std::string> blobs;
  blobs.reserve(events.size());
  for (const HistoryEvent& e : events) {
    SF_ASSIGN_OR_RETURN(std::string blob, EncodeValue(e.data));
    blobs.push_back(std::move(blob));
  }
  return blobs;
}

}  // namespace

Result<EncodedCommit> EncodeCommit(Commit commit, TimeMs now) {
  EncodedCommit e;
  if (commit.instance.has_value()) {
    SF_ASSIGN_OR_RETURN(e.output, EncodeValue(commit.instance->output));
  }
  SF_ASSIGN_OR_RETURN(e.events, EncodeEvents(commit.events));
  if (commit.add_signal.has_value()) {
    SF_ASSIGN_OR_RETURN(e.signal_payload, EncodeValue(commit.add_signal->payload));
  }
  if (commit.continue_as_new.has_value()) {
    const RunArchive& a = *commit.continue_as_new;
    SF_ASSIGN_OR_RETURN(e.run_input, EncodeValue(a.run.input));
    SF_ASSIGN_OR_RETURN(e.run_output, EncodeValue(a.run.output));
    SF_ASSIGN_OR_RETURN(e.run_events, EncodeEvents(a.events));
    SF_ASSIGN_OR_RETURN(e.next_input, EncodeValue(a.next_input));
  }
  for (ChildStart& child : commit.start_children) {
    SF_ASSIGN_OR_RETURN(EncodedStart start, EncodeStart(std::move(child.start), now));
    e.children.push_back(std::move(start));
  }
  e.commit = std::move(commit);
  e.now = now;
  return e;
}

Result<EncodedStart> EncodeStart(StartRequest request, TimeMs now) {
  EncodedStart e;
  SF_ASSIGN_OR_RETURN(e.input, EncodeValue(request.instance.input));
  SF_ASSIGN_OR_RETURN(e.output, EncodeValue(request.instance.output));
  SF_ASSIGN_OR_RETURN(e.events, EncodeEvents(request.events));
  e.request = std::move(request);
  e.now = now;
  return e;
}

}  // namespace steadfast
