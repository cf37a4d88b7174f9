// Readers of the compact encodings Redis embeds in RDB values as one
// string: listpack (Redis 7), ziplist (before 7), intset and zipmap (before
// 2.6). Each validates the whole blob as Redis's deep integrity checks do
// (sanitize-dump-payload yes) before it trusts a length: header sizes and
// counts against the blob's size, every entry inside the blob, a
// listpack's back-lengths, a ziplist's prev-lengths and tail offset, the
// end marker last, an intset sorted and unique. Entries go to fn in order;
// an integer entry as its decimal text (what Redis turns it into).
//
// Each returns false on any malformed byte. Nothing is allocated from a
// length the blob declares. The formats: docs/format/dump_payload.md.
//
// Thread safety: pure functions.
#ifndef SHALE_SERVER_RDB_COMPACT_READERS_H_
#define SHALE_SERVER_RDB_COMPACT_READERS_H_

#include <functional>
#include <string_view>

namespace shale::server::rdb {

using EntryFn = std::function<void(std::string_view)>;

bool ReadListpack(std::string_view lp, const EntryFn& fn);
// The same, but the listpack's count is not compared with its entries (as
// Redis's check of a stream node: lpValidateIntegrity without deep).
bool ReadListpackUncounted(std::string_view lp, const EntryFn& fn);
bool ReadZiplist(std::string_view zl, const EntryFn& fn);
bool ReadIntset(std::string_view is, const EntryFn& fn);
// A zipmap's keys and values, alternately (key, value, key, value ...).
bool ReadZipmap(std::string_view zm, const EntryFn& fn);

}  // namespace shale::server::rdb

#endif  // SHALE_SERVER_RDB_COMPACT_READERS_H_
