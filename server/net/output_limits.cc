#include "server/net/output_limits.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <vector>

namespace shale::server {
namespace {

bool ClassByName(std::string_view n, ClientClass* c) {
  std::string l;
  for (char ch : n) {
    l += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  if (l == "normal") {
    *c = ClientClass::kNormal;
  } else if (l == "replica" || l == "slave") {
    *c = ClientClass::kReplica;
  } else if (l == "pubsub") {
    *c = ClientClass::kPubSub;
  } else {
    return false;  // "master" is a class in Redis, but not a limit's
  }
  return true;
}

// string2ll for the seconds: digits only, no sign.
bool ParseSeconds(std::string_view s, uint64_t* v) {
  if (s.empty() || s.size() > 19) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  uint64_t r = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    r = r * 10 + static_cast<uint64_t>(c - '0');
  }
  *v = r;
  return true;
}

}  // namespace

bool ParseMemory(std::string_view s, uint64_t* bytes) {
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') digits++;
  std::string unit;
  for (char c : s.substr(digits)) {
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  uint64_t mul;
  if (unit.empty() || unit == "b") {
    mul = 1;
  } else if (unit == "k") {
    mul = 1000;
  } else if (unit == "kb") {
    mul = 1024;
  } else if (unit == "m") {
    mul = 1000 * 1000;
  } else if (unit == "mb") {
    mul = 1024 * 1024;
  } else if (unit == "g") {
    mul = 1000ull * 1000 * 1000;
  } else if (unit == "gb") {
    mul = 1024ull * 1024 * 1024;
  } else {
    return false;
  }
  if (digits >= 128) return false;
  // Redis's strtoull: no digits is 0, too many saturates.
  std::string num(s.substr(0, digits));
  errno = 0;
  uint64_t v = std::strtoull(num.c_str(), nullptr, 10);
  *bytes = v > UINT64_MAX / mul ? UINT64_MAX : v * mul;
  return true;
}

const char* ClientClassName(ClientClass c) {
  switch (c) {
    case ClientClass::kNormal:
      return "normal";
    case ClientClass::kReplica:
      return "slave";  // as Redis 7.0's CONFIG GET and logs name it
    case ClientClass::kPubSub:
      return "pubsub";
  }
  return "normal";
}

OutputLimits::OutputLimits() {
  Set(ClientClass::kReplica, {256ull << 20, 64ull << 20, 60});
  Set(ClientClass::kPubSub, {32ull << 20, 8ull << 20, 60});
}

OutputLimit OutputLimits::Get(ClientClass c) const {
  const Slot& s = slots_[static_cast<int>(c)];
  return {s.hard.load(std::memory_order_relaxed),
          s.soft.load(std::memory_order_relaxed),
          s.soft_seconds.load(std::memory_order_relaxed)};
}

void OutputLimits::Set(ClientClass c, OutputLimit l) {
  Slot& s = slots_[static_cast<int>(c)];
  s.hard.store(l.hard, std::memory_order_relaxed);
  s.soft.store(l.soft, std::memory_order_relaxed);
  s.soft_seconds.store(l.soft_seconds, std::memory_order_relaxed);
}

bool OutputLimits::Parse(std::string_view text, std::string* error) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') i++;
    size_t j = i;
    while (j < text.size() && text[j] != ' ') j++;
    if (j > i) words.push_back(text.substr(i, j - i));
    i = j;
  }
  if (words.size() % 4 != 0) {
    *error = "Wrong number of arguments in buffer limit configuration.";
    return false;
  }
  std::vector<std::pair<ClientClass, OutputLimit>> parsed;
  for (size_t w = 0; w < words.size(); w += 4) {
    ClientClass c;
    if (!ClassByName(words[w], &c)) {
      *error = "Invalid client class specified in buffer limit configuration.";
      return false;
    }
    OutputLimit l;
    if (!ParseMemory(words[w + 1], &l.hard) ||
        !ParseMemory(words[w + 2], &l.soft) ||
        !ParseSeconds(words[w + 3], &l.soft_seconds)) {
      *error =
          "Error in hard, soft or soft_seconds setting in buffer limit "
          "configuration.";
      return false;
    }
    parsed.push_back({c, l});
  }
  for (auto& [c, l] : parsed) Set(c, l);
  return true;
}

std::string OutputLimits::Format() const {
  std::string s;
  for (int i = 0; i < kNumClientClasses; i++) {
    ClientClass c = static_cast<ClientClass>(i);
    OutputLimit l = Get(c);
    if (!s.empty()) s += ' ';
    s += std::string(ClientClassName(c)) + " " + std::to_string(l.hard) + " " +
         std::to_string(l.soft) + " " + std::to_string(l.soft_seconds);
  }
  return s;
}

}  // namespace shale::server
