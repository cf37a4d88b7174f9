// What the list commands (cmd_list.cc, cmd_list_edit.cc) share: opening a
// list key, finishing a write with its events, and the argument forms of
// LEFT|RIGHT and LMPOP's numkeys.
//
// Thread safety: none (one command's).
#ifndef SHALE_SERVER_REDIS_LIST_CMD_H_
#define SHALE_SERVER_REDIS_LIST_CMD_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "server/keyspace/list.h"
#include "server/redis/collection_cmd.h"

namespace shale::server {

// LEFT or RIGHT (case-insensitive); false if neither.
bool ParseWhere(std::string_view arg, bool* left);

// Pops one element from the left or the right of the non-empty list l
// into *value.
inline Status PopEnd(List* l, bool left, std::string* value) {
  return left ? l->PopFront(value) : l->PopBack(value);
}
inline void PushEnd(List* l, bool left, std::string_view value) {
  left ? l->PushFront(value) : l->PushBack(value);
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] from argument
// `first` (numkeys) on: the keys, the end, the count (1 if absent).
struct MPopArgs {
  std::vector<std::string_view> keys;
  bool left = true;
  int64_t count = 1;
};
// false with Redis's error written.
bool ParseMPop(CommandContext& ctx, const Args& a, size_t first, MPopArgs* m);

// Pops up to count elements of the found list c from one end into *out,
// finishing the write with the pop's events (LPOP's); false with the error
// written. cmd_list.cc.
bool ListPopN(CommandContext& ctx, Collection* c, bool left, uint64_t count,
              std::vector<std::string>* out);
// LMOVE src dst: replies the element moved, or nil if src is absent.
void ListMove(CommandContext& ctx, std::string_view src, std::string_view dst,
              bool from_left, bool to_left);

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_LIST_CMD_H_
