// The parameters of server/config_params.cc that need more than a type and
// bounds: Redis's value checks (is_valid_fn) and the parsers of its special
// parameters (save, client-output-buffer-limit, notify-keyspace-events ...),
// each giving CONFIG GET's canonical form or Redis's error text. Used by the
// parameter table only.
#ifndef SHALE_SERVER_CONFIG_SPECIAL_H_
#define SHALE_SERVER_CONFIG_SPECIAL_H_

#include <span>
#include <string>
#include <string_view>

#include "server/config_params.h"

namespace shale::server::param_values {

bool CheckActiveDefrag(std::string_view v, const char** err);
bool CheckDbFilename(std::string_view v, const char** err);
bool CheckAofFilename(std::string_view v, const char** err);
bool CheckAofDirname(std::string_view v, const char** err);
bool CheckHostname(std::string_view v, const char** err);
bool CheckProcTitle(std::string_view v, const char** err);
bool ParseSave(std::span<const std::string> w, std::string* out,
               std::string* err);
std::string FormatOutputLimits(const OutputBufferLimit l[3]);
bool ParseOutputLimitWords(std::span<const std::string> w,
                           OutputBufferLimit limits[3], std::string* err);
bool ParseOomValues(std::span<const std::string> w, std::string* out,
                    std::string* err);
bool ParseNotify(std::span<const std::string> w, std::string* out,
                 std::string* err);
bool ParseBind(std::span<const std::string> w, std::string* out,
               std::string* err);
bool ParseReplicaOf(std::span<const std::string> w, std::string* out,
                    std::string* err);
bool ParsePercentiles(std::span<const std::string> w, std::string* out,
                      std::string* err);
bool ParseShutdownFlags(std::span<const std::string> w, std::string* out,
                        std::string* err);
bool ParseDir(std::span<const std::string> w, std::string* out,
              std::string* err);
bool ParseOutputLimitsStandalone(std::span<const std::string>, std::string*,
                                 std::string*);

}  // namespace shale::server::param_values

#endif  // SHALE_SERVER_CONFIG_SPECIAL_H_
