// Schema version 13: values stored in the compact encoding.
//
// Blobs (inputs, outputs, event data, signal payloads, instance state) are
// written in value_codec.cc's compact encoding from this version on, about
// half the bytes of the portable binary archive before. Rows written
// earlier keep their bytes and are still read: nothing is rewritten, so
// the migration is instant on any database. The version exists so that an
// older binary, which cannot read the new encoding, refuses the database
// as newer than it knows instead of calling its new rows corrupt.
#include "store/sqlite/migrations.h"

namespace steadfast {

Status MigrateToV13(Connection& conn) {
  (void)conn;
  return Status::Ok();
}

}  // namespace steadfast
