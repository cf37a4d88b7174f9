#include "server/redis/stream_cmd.h"

#include <string>
#include <vector>

namespace shale::server {

bool ParseIdOrReply(CommandContext& ctx, std::string_view arg,
                    uint64_t missing_seq, bool strict, StreamId* id,
                    bool* seq_given) {
  if (ParseStreamId(arg, missing_seq, strict, id, seq_given)) return true;
  ctx.w->Error(kErrInvalidStreamId);
  return false;
}

bool ReplyStreamEntry(RespWriter* w, std::string_view sub,
                      std::string_view value) {
  thread_local std::vector<std::string_view> fields;
  StreamId id;
  if (!ParseIdSub(sub, &id) || !DecodeStreamFields(value, &fields)) {
    return false;
  }
  w->Array(2);
  w->Bulk(FormatStreamId(id));
  w->Array(fields.size());
  for (std::string_view f : fields) w->Bulk(f);
  return true;
}

bool ReplyStreamRange(RespWriter* w, Stream* s, StreamId start, StreamId end,
                      uint64_t count, bool rev) {
  std::string* out = w->out();
  const size_t mark = out->size();
  // The length is known only at the end: the entries go after a
  // placeholder header that is rewritten then.
  std::string body;
  RespWriter bw(&body);
  bw.set_version(w->version());
  uint64_t n = 0;
  Status st;
  if (start <= end) {
    auto it = s->NewIterator();
    if (rev) {
      s->SeekBackFrom(it.get(), end);
    } else {
      s->SeekFrom(it.get(), start);
    }
    for (; it->Valid() && (count == 0 || n < count);
         rev ? it->Prev() : it->Next()) {
      StreamId id;
      if (!ParseIdSub(it->sub(), &id)) {
        st = Status::Corruption("bad stream entry key");
        break;
      }
      if (rev ? id < start : id > end) break;
      if (!ReplyStreamEntry(&bw, it->sub(), it->value())) {
        st = Status::Corruption("bad stream entry");
        break;
      }
      n++;
    }
    if (st.ok()) st = it->status();
  }
  if (!st.ok()) {
    out->resize(mark);
    ReplyStatus(w, st);
    return false;
  }
  w->Array(n);
  out->append(body);
  return true;
}

}  // namespace shale::server
