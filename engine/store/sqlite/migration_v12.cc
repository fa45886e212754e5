// Schema version 12: large inputs kept out of the instance row.
//
// - instance_inputs: the input of an instance whose encoded input is larger
//   than kInlineInputBytes (write_ops.cc); its instances.input is then the
//   empty blob, which no Value encodes to. Every checkpoint rewrites the
//   instance row, and SQLite rewrites a row whose size changed in full,
//   overflow pages included: an input of a few thousand for_each items
//   in the row was ~40 pages written per checkpoint of its instance.
//   Reads take the input from here through kInstanceColumns.
#include "store/sqlite/migrations.h"

namespace steadfast {

Status MigrateToV12(Connection& conn) {
  return conn.Exec(R"sql(
CREATE TABLE instance_inputs (
  instance_id TEXT PRIMARY KEY NOT NULL,
  input       BLOB NOT NULL
);
)sql");
}

}  // namespace steadfast
