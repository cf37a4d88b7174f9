// Writes the seed corpora of the fuzz targets into DIR/<target>/: real
// files of every kind, made by the engine itself on an in-memory Env (a DB
// with small memtables and files, value separation on, so flushes and
// compactions leave tables, WALs, MANIFESTs and vlogs), each prefixed with
// the control bytes its target reads first. Run once; the output is
// committed (fuzz/corpus/). Usage: fuzz_make_seeds DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "db/filename.h"
#include "db/log_reader.h"
#include "shale/db.h"
#include "table/block_builder.h"
#include "util/mem_env.h"
#include "util/random.h"

namespace fs = std::filesystem;

namespace {

void Write(const fs::path& dir, const std::string& name,
           const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

std::string Internal(const std::string& user, uint64_t seq, int type) {
  std::string k = user;
  uint64_t tag = (seq << 8) | static_cast<uint64_t>(type);
  for (int i = 0; i < 8; i++) k.push_back(static_cast<char>(tag >> (8 * i)));
  return k;
}

struct Recorder : shale::log::Reader::Reporter {
  void Corruption(size_t, const shale::Status&) override {}
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  shale::Random rnd(301);

  // Blocks: user keys (mode 0) and internal keys (mode 1).
  for (int restart : {1, 4, 16}) {
    for (int internal : {0, 1}) {
      shale::BlockBuilder b(restart);
      for (int i = 0; i < 40; i++) {
        char key[16];
        std::snprintf(key, sizeof(key), "key%04d", i * 7);
        std::string k = internal ? Internal(key, 100 - i, 1) : key;
        b.Add(k, std::string(rnd.Uniform(20), 'a' + i % 26));
      }
      std::string seed;
      seed.push_back(static_cast<char>(internal));
      seed.push_back(6);
      seed += "key014";
      seed += std::string(b.Finish());
      Write(out / "block_fuzz",
            "r" + std::to_string(restart) + "i" + std::to_string(internal),
            seed);
    }
  }

  // A DB's files.
  shale::MemEnv env;
  shale::Options o;
  o.create_if_missing = true;
  o.env = &env;
  o.write_buffer_size = 64 << 10;
  o.target_file_size = 16 << 10;
  o.block_size = 512;
  o.max_bytes_for_level_base = 64 << 10;
  o.enable_value_separation = true;
  o.min_blob_size = 100;
  o.compression_per_level = {
      shale::CompressionType::kNone, shale::CompressionType::kLZ4,
      shale::CompressionType::kZstd, shale::CompressionType::kSnappy};
  {
    std::unique_ptr<shale::DB> db;
    if (!shale::DB::Open(o, "/db", &db).ok()) return 1;
    shale::WriteOptions wo;
    for (int i = 0; i < 3000; i++) {
      std::string k = "k" + std::to_string(rnd.Uniform(500));
      std::string v(rnd.OneIn(3) ? 300 : 20, 'a' + rnd.Uniform(26));
      wo.expire_at_ms = rnd.OneIn(10) ? 4000000000000ull : 0;
      if (rnd.OneIn(5)) {
        db->Delete(wo, k).PermitUncheckedError();
      } else if (rnd.OneIn(10)) {
        shale::WriteBatch b;
        b.Put(k, v);
        b.Delete(k + "x");
        b.Put(k + "y", v, 4000000000000ull);
        db->Write(wo, &b).PermitUncheckedError();
      } else {
        db->Put(wo, k, v).PermitUncheckedError();
      }
      if (i == 2000) db->CompactRange(nullptr, nullptr).PermitUncheckedError();
    }
    db->Flush().PermitUncheckedError();
    for (int i = 0; i < 50; i++) {
      db->Put(wo, "tail" + std::to_string(i), "v").PermitUncheckedError();
    }
  }
  std::vector<std::string> names;
  if (!env.GetChildren("/db", &names).ok()) return 1;
  int tables = 0, vlogs = 0;
  for (const std::string& name : names) {
    std::string bytes;
    if (!env.ReadFileToString("/db/" + name, &bytes).ok()) continue;
    uint64_t number;
    shale::FileType type;
    if (!shale::ParseFileName(name, &number, &type)) continue;
    if (type == shale::FileType::kTableFile && tables++ < 6) {
      Write(out / "table_fuzz", name, std::string("\x00\x03k10", 5) + bytes);
      Write(out / "table_fuzz", name + ".cached",
            std::string("\x0f\x03k10", 5) + bytes);
    } else if (type == shale::FileType::kVlogFile && vlogs++ < 4) {
      Write(
          out / "vlog_fuzz", name,
          std::string("\x01\x00\x00\x00\x10\x00\x00\x00\x40\x00", 10) + bytes);
    } else if (type == shale::FileType::kLogFile) {
      // Read as a WAL with its own number (mode 6: tolerate the tail, the
      // number in the next byte), and with another one (mode 5: strict).
      Write(out / "log_reader_fuzz", name,
            std::string(1, '\6') + static_cast<char>(number) + bytes);
      Write(out / "log_reader_fuzz", name + ".othernumber",
            std::string(1, '\5') + static_cast<char>(number + 1) + bytes);
    } else if (type == shale::FileType::kDescriptorFile) {
      Write(out / "log_reader_fuzz", name, std::string(1, '\2') + bytes);
      // Its records, one seed each, for the MANIFEST decoder.
      std::unique_ptr<shale::SequentialFile> file;
      if (!env.NewSequentialFile("/db/" + name, &file).ok()) continue;
      Recorder reporter;
      shale::log::Reader reader(file.get(), &reporter, name,
                                shale::WalRecoveryMode::kAbsoluteConsistency);
      std::string_view record;
      std::string scratch;
      for (int r = 0; reader.ReadRecord(&record, &scratch) && r < 8; r++) {
        Write(out / "manifest_fuzz", name + "." + std::to_string(r),
              std::string(record));
      }
    }
  }
  return 0;
}
