// Printing and parsing binary-safe strings for the CLI.
//
// Escape: printable ASCII stays as it is except '\', which becomes "\\";
// every other byte (tab, newline, control bytes, bytes >= 0x80) becomes
// "\xHH". Unescape reverses it, and also accepts \t \n \r \0.
#ifndef SHALE_TOOLS_ESCAPE_H_
#define SHALE_TOOLS_ESCAPE_H_

#include <optional>
#include <string>
#include <string_view>

namespace shale::tools {

std::string Escape(std::string_view raw);
// nullopt on a malformed escape ("\x4", "\q", a trailing '\').
std::optional<std::string> Unescape(std::string_view escaped);

}  // namespace shale::tools

#endif  // SHALE_TOOLS_ESCAPE_H_
