#include "tools/stress/expected_state.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace shale::stress {
namespace {

// The file: a 64-byte header, then one KeyRecord per key.
//   magic "SHALEXS1" | num_keys u32 | group_size u32 | group_every u32 | 0..
constexpr char kMagic[8] = {'S', 'H', 'A', 'L', 'E', 'X', 'S', '1'};
constexpr size_t kHeaderBytes = 64;

struct Header {
  char magic[8];
  uint32_t num_keys;
  uint32_t group_size;
  uint32_t group_every;
};

Status Errno(const std::string& what) {
  return Status::IOError(what, std::strerror(errno));
}

}  // namespace

std::string KeyVersion::ToString() const {
  return (exists ? "v" : "deleted@v") + std::to_string(version);
}

std::string KeySnapshot::ToString() const {
  return "committed=" + committed.ToString() + " latest=" + latest.ToString() +
         " durable=" + durable.ToString() + " last_delete=v" +
         std::to_string(last_delete) +
         " durable_why=" + std::to_string(durable_why & 3) + "@gen" +
         std::to_string(durable_why >> 2);
}

std::string Observed::ToString() const {
  return exists ? "value v" + std::to_string(version) : "absent";
}

bool Accepts(const KeySnapshot& s, const KeyVersion& floor,
             const Observed& obs) {
  const uint32_t top = s.latest.version;
  if (!obs.exists) {
    // Absent: the floor is a deletion, or a deletion came after it.
    return !floor.exists ||
           (s.last_delete > floor.version && s.last_delete <= top);
  }
  if (obs.version == floor.version) return floor.exists;
  return obs.version > floor.version && obs.version <= top;
}

KeyVersion SettledState(const KeySnapshot& s, const Observed& obs) {
  if (obs.exists) return {obs.version, true};
  if (!s.latest.exists) return s.latest;
  if (!s.committed.exists) return s.committed;
  return {s.last_delete, false};
}

Status ExpectedState::Open(const std::string& path, bool reset, Shape* shape,
                           bool* fresh, std::unique_ptr<ExpectedState>* out) {
  std::unique_ptr<ExpectedState> es(new ExpectedState);
  *fresh = true;
  if (path.empty()) {
    es->shape_ = *shape;
    es->map_bytes_ = kHeaderBytes + sizeof(KeyRecord) * shape->num_keys;
    es->map_ = mmap(nullptr, es->map_bytes_, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (es->map_ == MAP_FAILED) return Errno("mmap");
  } else {
    std::error_code ec;
    std::filesystem::create_directories(
        std::filesystem::path(path).parent_path(), ec);
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);
    if (fd < 0) return Errno(path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
      ::close(fd);
      return Errno(path);
    }
    Header h{};
    bool existing = !reset && st.st_size >= static_cast<off_t>(kHeaderBytes) &&
                    pread(fd, &h, sizeof(h), 0) == sizeof(h) &&
                    std::memcmp(h.magic, kMagic, sizeof(kMagic)) == 0;
    if (existing) {
      *fresh = false;
      shape->num_keys = h.num_keys;
      shape->group_size = h.group_size;
      shape->group_every = h.group_every;
    }
    es->shape_ = *shape;
    es->map_bytes_ = kHeaderBytes + sizeof(KeyRecord) * shape->num_keys;
    if (existing && static_cast<size_t>(st.st_size) != es->map_bytes_) {
      ::close(fd);
      return Status::Corruption(path, "expected-state file has a bad size");
    }
    if (!existing) {
      // Zero everything: the header is written last, once the records are.
      if (ftruncate(fd, 0) != 0 ||
          ftruncate(fd, static_cast<off_t>(es->map_bytes_)) != 0) {
        ::close(fd);
        return Errno(path);
      }
    }
    es->map_ = mmap(nullptr, es->map_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED,
                    fd, 0);
    ::close(fd);
    if (es->map_ == MAP_FAILED) return Errno("mmap " + path);
  }
  es->records_ =
      reinterpret_cast<KeyRecord*>(static_cast<char*>(es->map_) + kHeaderBytes);
  if (*fresh) {
    Header h{};
    std::memcpy(h.magic, kMagic, sizeof(kMagic));
    h.num_keys = shape->num_keys;
    h.group_size = shape->group_size;
    h.group_every = shape->group_every;
    std::memcpy(es->map_, &h, sizeof(h));
  }
  *out = std::move(es);
  return Status::OK();
}

ExpectedState::~ExpectedState() {
  if (map_ != nullptr) {
    msync(map_, map_bytes_, MS_ASYNC);
    munmap(map_, map_bytes_);
  }
}

KeySnapshot ExpectedState::Snapshot(uint32_t key) const {
  const KeyRecord& r = records_[key];
  KeySnapshot s;
  s.committed = KeyVersion::Unpack(r.committed.load());
  s.latest = KeyVersion::Unpack(r.latest.load());
  s.durable = KeyVersion::Unpack(r.durable.load());
  s.last_delete = r.last_delete.load();
  s.durable_why = r.durable_why.load();
  return s;
}

uint32_t ExpectedState::NewVersion(uint32_t key) const {
  const KeyRecord& r = records_[key];
  return std::max(r.next_version.load(),
                  KeyVersion::Unpack(r.latest.load()).version) +
         1;
}

void ExpectedState::BeginWrite(uint32_t key, KeyVersion state) {
  KeyRecord& r = records_[key];
  if (state.version > r.next_version.load()) r.next_version = state.version;
  if (!state.exists) r.last_delete = state.version;
  r.latest = state.Pack();
}

void ExpectedState::Commit(uint32_t key, uint64_t ticket) {
  KeyRecord& r = records_[key];
  r.committed = r.latest.load();
  r.ack_ticket = ticket;
}

void ExpectedState::MarkDurableIfAckedBefore(uint32_t key, uint64_t ticket,
                                             uint32_t why) {
  KeyRecord& r = records_[key];
  if (r.ack_ticket.load() < ticket) {
    r.durable = r.committed.load();
    r.durable_why = why;
  }
}

void ExpectedState::MarkDurable(uint32_t key, uint32_t why) {
  KeyRecord& r = records_[key];
  r.durable = r.committed.load();
  r.durable_why = why;
}

void ExpectedState::Settle(uint32_t key, KeyVersion state, uint32_t why) {
  KeyRecord& r = records_[key];
  r.durable_why = why;
  if (state.version > r.next_version.load()) r.next_version = state.version;
  uint32_t packed = state.Pack();
  r.committed = packed;
  r.durable = packed;
  r.latest = packed;
}

}  // namespace shale::stress
