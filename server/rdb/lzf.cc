#include "server/rdb/lzf.h"

extern "C" {
#include <liblzf/lzf.h>
}

namespace shale::server::rdb {

bool LzfCompress(std::string_view in, std::string* out) {
  if (in.size() <= 4) return false;
  out->resize(in.size() - 4);
  const unsigned n =
      lzf_compress(in.data(), static_cast<unsigned>(in.size()), out->data(),
                   static_cast<unsigned>(out->size()));
  if (n == 0) return false;
  out->resize(n);
  return true;
}

bool LzfDecompress(std::string_view in, size_t ulen, std::string* out) {
  out->resize(ulen);
  // As Redis: whatever lzf_decompress makes of the input must be ulen bytes
  // (for ulen 0 that is any input it stops on at once).
  char none = 0;
  const unsigned n = lzf_decompress(in.data(), static_cast<unsigned>(in.size()),
                                    ulen == 0 ? &none : out->data(),
                                    static_cast<unsigned>(ulen));
  return n == ulen;
}

}  // namespace shale::server::rdb
