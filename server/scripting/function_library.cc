// Function libraries: the shebang's grammar, a set's index, and the making
// of a library from its code (the order of Redis 7.0's checks, which
// decides which error a bad library gets).
#include "server/scripting/function_library.h"

#include <algorithm>
#include <atomic>
#include <cctype>

#include "server/scripting/lua_engine.h"

namespace shale::server {
namespace {

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

// Splits line into words as Redis's sdssplitargs does: blanks separate
// words; "..." takes C escapes (\n \r \t \b \a \xHH, \<c> is c), '...'
// only \'; a closing quote must end the word. False on unbalanced quotes
// or a quote followed by a non-blank. line holds no NUL (the caller's).
bool SplitArgs(std::string_view line, std::vector<std::string>* out) {
  size_t i = 0;
  const size_t n = line.size();
  auto at = [&](size_t k) { return k < n ? line[k] : '\0'; };
  auto space = [](char c) {
    return c != '\0' && std::isspace(static_cast<unsigned char>(c));
  };
  for (;;) {
    while (space(at(i))) i++;
    if (at(i) == '\0') return true;
    std::string cur;
    bool inq = false, insq = false, done = false;
    while (!done) {
      const char c = at(i);
      if (inq) {
        if (c == '\\' && at(i + 1) == 'x' && IsHex(at(i + 2)) &&
            IsHex(at(i + 3))) {
          cur.push_back(static_cast<char>(HexValue(at(i + 2)) * 16 +
                                          HexValue(at(i + 3))));
          i += 3;
        } else if (c == '\\' && at(i + 1) != '\0') {
          i++;
          switch (at(i)) {
            case 'n':
              cur.push_back('\n');
              break;
            case 'r':
              cur.push_back('\r');
              break;
            case 't':
              cur.push_back('\t');
              break;
            case 'b':
              cur.push_back('\b');
              break;
            case 'a':
              cur.push_back('\a');
              break;
            default:
              cur.push_back(at(i));
              break;
          }
        } else if (c == '"') {
          if (at(i + 1) != '\0' && !space(at(i + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          cur.push_back(c);
        }
      } else if (insq) {
        if (c == '\\' && at(i + 1) == '\'') {
          i++;
          cur.push_back('\'');
        } else if (c == '\'') {
          if (at(i + 1) != '\0' && !space(at(i + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          cur.push_back(c);
        }
      } else {
        switch (c) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            inq = true;
            break;
          case '\'':
            insq = true;
            break;
          default:
            cur.push_back(c);
            break;
        }
      }
      if (at(i) != '\0') i++;
    }
    out->push_back(std::move(cur));
  }
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); i++) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) {
      return false;
    }
  }
  return true;
}

std::atomic<uint64_t> next_library_id{1};

}  // namespace

std::string FunctionSet::Key(std::string_view name) {
  std::string k(name);
  for (char& c : k) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return k;
}

const FunctionSet::Entry* FunctionSet::Find(std::string_view name) const {
  auto it = functions_.find(Key(name));
  return it == functions_.end() ? nullptr : &it->second;
}

void FunctionSet::Remove(const std::string& library) {
  auto it = libraries_.find(library);
  if (it == libraries_.end()) return;
  for (const FunctionDef& f : it->second->functions) {
    functions_.erase(Key(f.name));
  }
  libraries_.erase(it);
}

void FunctionSet::Add(std::shared_ptr<const Library> lib) {
  Remove(lib->name);
  for (const FunctionDef& f : lib->functions) {
    // A library may hold names that differ in case only: the index keeps
    // the first (as Redis's dictAdd does).
    functions_.emplace(Key(f.name), Entry{lib.get(), &f});
  }
  libraries_[lib->name] = std::move(lib);
}

const std::string* FunctionSet::Collision(const Library& lib) const {
  for (const FunctionDef& f : lib.functions) {
    auto it = functions_.find(Key(f.name));
    if (it != functions_.end() && it->second.library->name != lib.name) {
      return &f.name;
    }
  }
  return nullptr;
}

bool ParseLibraryMeta(std::string_view code, LibraryMeta* meta,
                      std::string* err) {
  if (!code.starts_with("#!")) {
    *err = "Missing library metadata";
    return false;
  }
  // Redis looks for the line feed with strchr: a NUL ends the search.
  const size_t nl = code.find('\n');
  const size_t nul = code.find('\0');
  if (nl == std::string_view::npos ||
      (nul != std::string_view::npos && nul < nl)) {
    *err = "Invalid library metadata";
    return false;
  }
  std::vector<std::string> parts;
  if (!SplitArgs(code.substr(0, nl), &parts) || parts.empty()) {
    *err = "Invalid library metadata";
    return false;
  }
  meta->engine = parts[0].substr(2);
  meta->shebang_len = nl;
  bool have_name = false;
  for (size_t i = 1; i < parts.size(); i++) {
    if (StartsWithIgnoreCase(parts[i], "name=")) {
      if (have_name) {
        *err = "Invalid metadata value, name argument was given multiple times";
        return false;
      }
      meta->name = parts[i].substr(5);
      have_name = true;
      continue;
    }
    *err = "Invalid metadata value given: " + parts[i];
    return false;
  }
  if (!have_name) {
    *err = "Library name was not given";
    return false;
  }
  return true;
}

bool ValidFunctionName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::shared_ptr<const Library> AddLibrary(FunctionSet* set,
                                          std::string_view code, bool replace,
                                          LuaEngine* engine, bool log,
                                          std::string* err) {
  LibraryMeta meta;
  if (!ParseLibraryMeta(code, &meta, err)) return nullptr;
  if (!ValidFunctionName(meta.name)) {
    *err = kErrBadFunctionName;
    return nullptr;
  }
  // Engines are looked up case-insensitively; Lua is the only one.
  std::string engine_name = meta.engine;
  for (char& c : engine_name) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (engine_name != "lua") {
    *err = "Engine '" + meta.engine + "' not found";
    return nullptr;
  }
  if (!replace && set->libraries().count(meta.name) != 0) {
    *err = "Library '" + meta.name + "' already exists";
    return nullptr;
  }
  auto lib = std::make_shared<Library>();
  lib->name = meta.name;
  lib->code.assign(code);
  lib->shebang_len = meta.shebang_len;
  lib->id = next_library_id.fetch_add(1, std::memory_order_relaxed);
  if (!engine->LoadLibrary(lib->body(), log, &lib->functions, err)) {
    return nullptr;
  }
  if (lib->functions.empty()) {
    *err = "No functions registered";
    return nullptr;
  }
  std::sort(lib->functions.begin(), lib->functions.end(),
            [](const FunctionDef& a, const FunctionDef& b) {
              return a.name < b.name;
            });
  if (const std::string* dup = set->Collision(*lib)) {
    *err = "Function " + *dup + " already exists";
    return nullptr;
  }
  engine->InstallLoaded(lib->name, lib->id);
  set->Add(lib);
  return lib;
}

}  // namespace shale::server
