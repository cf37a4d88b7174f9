// Keys and values of the stress test. Both are functions of numbers, so any
// value read back can be checked byte for byte without remembering it.
//
// Key i is "k" + i in 9 zero-padded digits + 0..12 letters that depend only
// on i: keys sort by i, and vary in length (exercising prefix compression
// and separators in the index).
//
// A value is "<version>.<key index>.<payload length>|" + payload, where the
// payload is a function of (key, version, length): runs of random bytes and
// runs of one repeated byte, so it compresses about 2:1. Because the length
// is in the header, each run may pick its own value sizes and still verify
// what earlier runs wrote.
#ifndef SHALE_TOOLS_STRESS_VALUE_GEN_H_
#define SHALE_TOOLS_STRESS_VALUE_GEN_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace shale::stress {

std::string KeyString(uint32_t index);
// False unless key is exactly KeyString(i) for some i < num_keys.
bool ParseKey(std::string_view key, uint32_t num_keys, uint32_t* index);

void MakeValue(uint32_t index, uint32_t version, size_t payload_len,
               std::string* value);
// Checks that value is exactly what MakeValue(index, v, len) gave for some
// v and len, and sets *version = v. On failure *why says what is wrong.
bool CheckValue(uint32_t index, std::string_view value, uint32_t* version,
                std::string* why);

}  // namespace shale::stress

#endif  // SHALE_TOOLS_STRESS_VALUE_GEN_H_
