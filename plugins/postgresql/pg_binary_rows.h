// PgBinaryRows: the postgresql plugin's pre-encoded rows (ferry/types/row_encoding.h). Each row
// is one binary COPY tuple exactly as the reader's COPY ... TO STDOUT (FORMAT binary) sent it:
// the field count, then each field's length word (-1 for NULL) and bytes. The writer takes them
// when every destination column reads its source column's binary form (SameBinaryForm) and
// sends them, unchanged, between its own COPY ... FROM STDIN (FORMAT binary) header and trailer;
// the server's receive functions still check each value against the destination's type
// modifier and constraints, so a refused row is refused as it would be when decoded.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ferry/types/row_encoding.h"
#include "plugins/postgresql/pg_copy_binary.h"
#include "plugins/postgresql/pg_copy_text.h"

namespace ferry::pg {

class PgBinaryRows : public RowEncoding {
 public:
  // One entry per field of a tuple: its source type OID and how its bytes decode.
  PgBinaryRows(std::vector<uint32_t> oids, std::vector<BinaryKind> kinds)
      : oids_(std::move(oids)), kinds_(std::move(kinds)) {}

  std::string Describe() const override { return "PostgreSQL binary COPY tuples"; }
  Status Decode(std::string_view tuple, Value* row, RecordBatch* arena) const override;
  const std::vector<uint32_t>& oids() const { return oids_; }
  size_t num_fields() const { return oids_.size(); }

 private:
  std::vector<uint32_t> oids_;
  std::vector<BinaryKind> kinds_;
};

// Whether a column of type `dest_oid` reads, unchanged, what a column of `source_oid` sends in
// binary COPY: the same built-in type Ferry decodes, two of text, varchar and char, or the same
// type of those Ferry forwards without decoding (ForwardedUndecoded).
bool SameBinaryForm(uint32_t source_oid, uint32_t dest_oid);

// Built-in types Ferry has no decoder for whose binary form means the same on any server, so a
// column of one moves as its bytes into a column of the same type (arrays, interval, inet,
// ranges...). Not user-defined types (their OIDs differ between databases), not the reg* types
// (their binary form is an OID of this database's catalog), not money (its scale follows the
// server's lc_monetary), not types without binary input and output.
bool ForwardedUndecoded(uint32_t oid);

// Splits one binary COPY tuple (without the file header) into `out`, checking that it has
// `expected` fields and that every length stays inside the tuple.
Status SplitBinaryTuple(std::string_view tuple, size_t expected, CopyFields* out);

// The bytes of a tuple's non-NULL fields (its weight in the throttle and the figures), after the
// same checks as SplitBinaryTuple, without splitting it.
Result<size_t> BinaryTupleDataBytes(std::string_view tuple, size_t expected);

// Whether `message` is binary COPY's end-of-data marker (a field count of -1).
inline bool IsBinaryTrailer(std::string_view message) {
  return message.size() >= 2 && static_cast<uint8_t>(message[0]) == 0xFF &&
         static_cast<uint8_t>(message[1]) == 0xFF;
}

// Removes binary COPY's file header from the first message of a COPY TO; an error when it is
// not there.
Status StripBinaryHeader(std::string_view* message);

}  // namespace ferry::pg
