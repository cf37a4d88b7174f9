#include "tools/stress/value_gen.h"

#include <charconv>
#include <cstdio>

#include "util/random.h"

namespace shale::stress {
namespace {

uint64_t Mix(uint64_t a, uint64_t b) {
  Random r(a * 0x9e3779b97f4a7c15ull ^ b);
  return r.Next64();
}

void AppendPayload(uint32_t index, uint32_t version, size_t len,
                   std::string* out) {
  Random rnd(Mix(index, version) ^ len);
  size_t end = out->size() + len;
  while (out->size() < end) {
    size_t run = std::min<size_t>(1 + rnd.Uniform(16), end - out->size());
    if (rnd.OneIn(2)) {
      for (size_t i = 0; i < run; i++) {
        out->push_back(static_cast<char>(rnd.Uniform(256)));
      }
    } else {
      out->append(run, static_cast<char>('a' + rnd.Uniform(26)));
    }
  }
}

// Parses a decimal number ending at delim; advances *s past delim.
bool ParseNumber(std::string_view* s, char delim, uint64_t* v) {
  size_t pos = s->find(delim);
  if (pos == std::string_view::npos || pos == 0 || pos > 20) return false;
  auto [ptr, ec] = std::from_chars(s->data(), s->data() + pos, *v);
  if (ec != std::errc() || ptr != s->data() + pos) return false;
  s->remove_prefix(pos + 1);
  return true;
}

}  // namespace

std::string KeyString(uint32_t index) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%09u", index);
  std::string key(buf);
  uint64_t h = Mix(index, 0x5eed);
  size_t suffix = h % 13;
  for (size_t i = 0; i < suffix; i++) {
    key.push_back(static_cast<char>('a' + (h >> (8 + 2 * i)) % 26));
  }
  return key;
}

bool ParseKey(std::string_view key, uint32_t num_keys, uint32_t* index) {
  if (key.size() < 10 || key[0] != 'k') return false;
  uint64_t v = 0;
  for (size_t i = 1; i < 10; i++) {
    if (key[i] < '0' || key[i] > '9') return false;
    v = v * 10 + static_cast<uint64_t>(key[i] - '0');
  }
  if (v >= num_keys) return false;
  *index = static_cast<uint32_t>(v);
  return key == KeyString(*index);
}

void MakeValue(uint32_t index, uint32_t version, size_t payload_len,
               std::string* value) {
  value->clear();
  value->append(std::to_string(version));
  value->push_back('.');
  value->append(std::to_string(index));
  value->push_back('.');
  value->append(std::to_string(payload_len));
  value->push_back('|');
  AppendPayload(index, version, payload_len, value);
}

bool CheckValue(uint32_t index, std::string_view value, uint32_t* version,
                std::string* why) {
  std::string_view s = value;
  uint64_t v, idx, len;
  if (!ParseNumber(&s, '.', &v) || !ParseNumber(&s, '.', &idx) ||
      !ParseNumber(&s, '|', &len)) {
    *why = "malformed value header";
    return false;
  }
  if (idx != index) {
    *why = "value belongs to key " + std::to_string(idx);
    return false;
  }
  if (len != s.size()) {
    *why = "payload is " + std::to_string(s.size()) + " bytes, header says " +
           std::to_string(len);
    return false;
  }
  std::string expected;
  AppendPayload(index, static_cast<uint32_t>(v), len, &expected);
  if (expected != s) {
    *why = "payload bytes differ";
    return false;
  }
  *version = static_cast<uint32_t>(v);
  return true;
}

}  // namespace shale::stress
