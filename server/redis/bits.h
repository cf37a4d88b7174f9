// What the bit commands (cmd_bits.cc, cmd_bitfield.cc) share: Redis's bit
// addressing of a string and its reads of the key for them.
//
// Bit 0 is the most significant bit of the string's first byte; a missing
// key, and every bit past a string's end, reads as 0.
#ifndef SHALE_SERVER_REDIS_BITS_H_
#define SHALE_SERVER_REDIS_BITS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "server/redis/command.h"

namespace shale::server {

// The bit at offset (0 past the end).
inline int GetBit(std::string_view s, uint64_t offset) {
  const uint64_t byte = offset >> 3;
  if (byte >= s.size()) return 0;
  return (static_cast<uint8_t>(s[byte]) >> (7 - (offset & 7))) & 1;
}

// Sets the bit at offset to on. REQUIRES: offset < s->size() * 8.
inline void SetBitIn(std::string* s, uint64_t offset, int on) {
  auto& b = reinterpret_cast<uint8_t&>((*s)[offset >> 3]);
  const uint8_t mask = static_cast<uint8_t>(1u << (7 - (offset & 7)));
  b = on ? (b | mask) : (b & ~mask);
}

// A bit offset argument as Redis's getBitOffsetFromArgument: an integer
// >= 0 whose byte is below proto-max-bulk-len. With field_bits > 0
// (BITFIELD), "#n" means n * field_bits. Writes Redis's error and returns
// false otherwise.
bool ParseBitOffset(CommandContext& ctx, std::string_view arg, int field_bits,
                    uint64_t* offset);

// key read as a string by a bit command. kFound: *e holds it; kMissing: *e
// is empty (a reading command has announced "keymiss"); kReplied: an error
// was written (WRONGTYPE, or the engine's).
enum class BitRead { kFound, kMissing, kReplied };
BitRead ReadForBits(CommandContext& ctx, std::string_view key, bool for_write,
                    Entry* e);

// The string a bit write works on: key's value (e.meta() keeps its flags
// and expiry) grown with zero bytes to hold bit max_bit, as Redis's
// lookupStringForBitCommand. *grown: the key was created or lengthened (a
// change even if no bit flips). False if an error was written.
bool LoadForBitWrite(CommandContext& ctx, std::string_view key,
                     uint64_t max_bit, Entry* e, std::string* v, bool* grown);

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_BITS_H_
