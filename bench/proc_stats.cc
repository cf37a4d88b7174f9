#include "proc_stats.h"

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace shale_bench {

ProcIo ReadProcIo() {
  ProcIo io;
  std::ifstream in("/proc/self/io");
  std::string name;
  int64_t value;
  while (in >> name >> value) {
    if (name == "read_bytes:")
      io.read_bytes = value;
    else if (name == "write_bytes:")
      io.write_bytes = value;
    else if (name == "wchar:")
      io.wchar = value;
  }
  return io;
}

bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5\n";
  out.flush();
  return static_cast<bool>(out);
}

int64_t PeakRssBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      int64_t kb = -1;
      fields >> kb;
      return kb < 0 ? -1 : kb * 1024;
    }
  }
  return -1;
}

int64_t DirBytes(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  int64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st;
    if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      total += static_cast<int64_t>(st.st_blocks) * 512;
    }
  }
  return total;
}

double WaitForWritesToSettle(double quiet_s, double timeout_s) {
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  int64_t last = ReadProcIo().write_bytes;
  if (last < 0) return 0;
  auto quiet_since = Clock::now();
  while (elapsed() < timeout_s) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    int64_t now = ReadProcIo().write_bytes;
    if (now != last) {
      last = now;
      quiet_since = Clock::now();
    } else if (std::chrono::duration<double>(Clock::now() - quiet_since)
                   .count() >= quiet_s) {
      break;
    }
  }
  return elapsed();
}

}  // namespace shale_bench
