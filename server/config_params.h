// The Redis 7.0 configuration parameters, as one declarative table, and the
// parsing, validation and formatting of their values exactly as
// redis-server 7.0.15 does them (its CONFIG SET error texts included).
//
// Every parameter redis-server 7.0 has is here (its aliases, e.g. slaveof
// for replicaof, and its hidden debugging parameters too), with Redis's
// default. A parameter flagged kParamApplied means something to shale;
// the others are validated, stored and answered but change nothing
// (docs/protocols.md lists them). This file knows values only; the running
// values live in LiveConfig (server/live_config.h).
#ifndef SHALE_SERVER_CONFIG_PARAMS_H_
#define SHALE_SERVER_CONFIG_PARAMS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shale::server {

enum ParamFlags : uint32_t {
  // CONFIG SET refuses it ("can't set immutable config"); set at start only.
  kParamImmutable = 1 << 0,
  // CONFIG SET refuses it as Redis does with enable-protected-configs no
  // ("can't set protected config").
  kParamProtected = 1 << 1,
  // A secret (requirepass, masterauth): hidden from SLOWLOG and MONITOR.
  kParamSensitive = 1 << 2,
  // Matched by its exact name only, never by a CONFIG GET pattern.
  kParamHidden = 1 << 3,
  // The value is a list of words separated by single spaces (save, bind,
  // client-output-buffer-limit ...).
  kParamMultiArg = 1 << 4,
  // shale acts on it (the others are stored and answered only).
  kParamApplied = 1 << 5,
};

enum class ParamType {
  kBool,      // yes | no
  kEnum,      // one of enum_names (case-insensitive)
  kString,    // any string (maybe checked by `check`)
  kSigned,    // a signed integer within [min, max]
  kUnsigned,  // an unsigned integer within [min, max] (compared unsigned)
  kSpecial,   // parsed by `special`
};

// Numeric value syntaxes beside a plain integer (Redis's MEMORY_CONFIG,
// PERCENT_CONFIG, OCTAL_CONFIG).
enum NumberSyntax : uint8_t {
  kNumPlain = 0,
  kNumMemory = 1,   // 10, 1k, 1kb, 5mb, 2gb ...
  kNumPercent = 2,  // 50% (stored as -50)
  kNumOctal = 4,    // 0755
};

struct EnumName {
  const char* name;
  int value;  // several names may share a value; the first one is shown
};

struct ParamSpec {
  const char* name;   // lowercase
  const char* alias;  // another name for it (slaveof ...), or nullptr
  ParamType type;
  uint32_t flags;
  // The default value in CONFIG GET's form.
  const char* default_value;
  // Numbers: bounds and syntax.
  int64_t min = 0;
  uint64_t max = 0;  // kSigned: read as int64_t
  uint8_t syntax = kNumPlain;
  // kEnum: the names, ended by {nullptr, 0}.
  const EnumName* enum_names = nullptr;
  // Extra validation of a parsed value (Redis's is_valid_fn); false with a
  // static error text in *err.
  bool (*check)(std::string_view value, const char** err) = nullptr;
  // kSpecial: parses the words of the value into the canonical value
  // (CONFIG GET's form); false with the error text in *err.
  bool (*special)(std::span<const std::string> words, std::string* canonical,
                  std::string* err) = nullptr;
};

// Every parameter, in the table's order (CONFIG GET answers in it).
std::span<const ParamSpec> AllParams();

// The parameter named `name` or one of whose aliases it is,
// case-insensitively; nullptr if none. *via_alias tells which.
const ParamSpec* FindParam(std::string_view name, bool* via_alias = nullptr);

// Parses a CONFIG SET value for p into its canonical form (what CONFIG GET
// then answers): "YES" -> "yes", "1kb" -> "1024", "50%" -> "50%", a
// client-output-buffer-limit list -> all three classes. On a bad value
// returns false with Redis's error text (the part after "- ") in *err.
// `current` is p's current canonical value (some parameters update only
// what the new value names).
bool ParseParam(const ParamSpec& p, std::string_view value,
                std::string_view current, std::string* canonical,
                std::string* err);

// The integer a numeric, boolean (1/0) or enum (its value) canonical value
// stands for; percentages are negative, as Redis stores them.
int64_t ParamInt(const ParamSpec& p, std::string_view canonical);

// Redis's memtoull: digits with an optional unit (b k kb m mb g gb, any
// case); "" is 0; false on anything else.
bool ParseMemory(std::string_view s, uint64_t* v);

// --- the canonical forms of some special parameters, for their users -------

// notify-keyspace-events: the flags word uses Redis's NOTIFY_* bits (K 1<<0,
// E 1<<1, g 1<<2, $ 1<<3, l 1<<4, s 1<<5, h 1<<6, z 1<<7, x 1<<8, e 1<<9,
// t 1<<10, m 1<<11, d 1<<13, n 1<<14), the bits the keyspace-notification
// code names as its event classes.
// "KEA" -> flags; false on a character that is no class.
bool ParseNotifyFlags(std::string_view s, uint32_t* flags);
std::string NotifyFlagsString(uint32_t flags);

// client-output-buffer-limit, per client class. A client is "pubsub" while
// it has a subscription, "replica" once it replicates, else "normal"
// (MONITOR clients too, as in Redis).
enum class ClientClass : uint8_t { kNormal = 0, kReplica = 1, kPubSub = 2 };
// As Redis 7.0 names the class in CONFIG GET and its logs: "normal",
// "slave", "pubsub".
const char* ClientClassName(ClientClass c);
struct OutputBufferLimit {
  uint64_t hard_bytes = 0;  // 0: none
  uint64_t soft_bytes = 0;  // 0: none
  int64_t soft_seconds = 0;
};
// Reads a canonical client-output-buffer-limit value (all three classes).
void ParseOutputBufferLimits(std::string_view canonical,
                             OutputBufferLimit limits[3]);

// Splits s on single spaces as Redis's sdssplitlen does ("" -> no words,
// "a  b" -> "a", "", "b").
std::vector<std::string> SplitWords(std::string_view s);

}  // namespace shale::server

#endif  // SHALE_SERVER_CONFIG_PARAMS_H_
