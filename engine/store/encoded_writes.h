// Writes with their Values encoded (cereal blobs), for every store.
//
// A store encodes a StartRequest or a Commit on the calling thread before
// the write is queued or sent: the writer (SQLite's single writer, a
// PostgreSQL connection) should only run SQL. A value too deep to store is
// InvalidArgument (IsValueTooDeep) here, before anything is written.
#ifndef STEADFAST_STORE_ENCODED_WRITES_H_
#define STEADFAST_STORE_ENCODED_WRITES_H_

#include <string>
#include <vector>

#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "store/store.h"

namespace steadfast {

// A StartRequest with its Values encoded.
struct EncodedStart {
  StartRequest request;
  std::string input;
  std::string output;
  std::vector<std::string> events;
  TimeMs now = 0;
};
Result<EncodedStart> EncodeStart(StartRequest request, TimeMs now);

// A Commit with its Values encoded.
struct EncodedCommit {
  Commit commit;
  std::string output;               // commit.instance->output, if instance given
  std::vector<std::string> events;  // commit.events[i].data
  std::string signal_payload;       // commit.add_signal->payload, if given
  // commit.continue_as_new's values, if given: the finished run's input and
  // output, its events' data, and the next run's input.
  std::string run_input;
  std::string run_output;
  std::vector<std::string> run_events;
  std::string next_input;
  std::vector<EncodedStart> children;  // commit.start_children[i].start, encoded (the start moved out)
  TimeMs now = 0;                   // updated_at and default timestamps
};
// InvalidArgument (IsValueTooDeep) when a value is too deep to store.
Result<EncodedCommit> EncodeCommit(Commit commit, TimeMs now);

}  // namespace steadfast

#endif  // STEADFAST_STORE_ENCODED_WRITES_H_
