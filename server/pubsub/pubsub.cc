#include "server/pubsub/pubsub.h"

#include <algorithm>

namespace shale::server {
namespace {

void AppendBulk(std::string* out, std::string_view s) {
  out->push_back('$');
  out->append(std::to_string(s.size()));
  out->append("\r\n");
  out->append(s);
  out->append("\r\n");
}

int Index(PubSubKind k) { return static_cast<int>(k); }

}  // namespace

std::string EncodeMessage(int resp, std::string_view kind,
                          std::string_view pattern, std::string_view channel,
                          std::string_view message) {
  std::string out;
  out.reserve(32 + kind.size() + pattern.size() + channel.size() +
              message.size());
  out.push_back(resp == 3 ? '>' : '*');
  out.append(kind == "pmessage" ? "4\r\n" : "3\r\n");
  AppendBulk(&out, kind);
  if (kind == "pmessage") AppendBulk(&out, pattern);
  AppendBulk(&out, channel);
  AppendBulk(&out, message);
  return out;
}

void PubSub::Subscribe(Subscriber* s, PubSubKind k, const std::string& name) {
  MutexLock l(&mu_);
  Entry& e = tables_[Index(k)][name];
  if (k == PubSubKind::kPattern && !e.glob) {
    e.glob = std::make_unique<GlobPattern>(name);
  }
  e.subs.push_back(s);
}

void PubSub::Unsubscribe(Subscriber* s, PubSubKind k, const std::string& name) {
  MutexLock l(&mu_);
  Table& t = tables_[Index(k)];
  auto it = t.find(name);
  if (it == t.end()) return;
  auto& subs = it->second.subs;
  auto pos = std::find(subs.begin(), subs.end(), s);
  if (pos != subs.end()) subs.erase(pos);
  if (subs.empty()) t.erase(it);
}

const std::string& PubSub::Message::For(int resp) {
  std::string& m = bytes[resp == 3];
  if (m.empty()) m = EncodeMessage(resp, kind, pattern, channel, message);
  return m;
}

void PubSub::Deliver(Subscriber* s, Message* m, Subscriber* self,
                     std::string* own_out, PushBatch* batch) {
  const std::string& bytes = m->For(s->resp.load(std::memory_order_relaxed));
  if (s == self) {
    // Our own message goes before our reply, after what others sent us.
    if (s->conn != nullptr) s->conn->TakeInbox(own_out);
    own_out->append(bytes);
  } else if (s->conn != nullptr) {
    batch->Add(s->conn, bytes);
  }
}

int64_t PubSub::Publish(PubSubKind k, std::string_view channel,
                        std::string_view message, Subscriber* self,
                        std::string* own_out) {
  const bool shard = k == PubSubKind::kShard;
  int64_t receivers = 0;
  PushBatch batch;
  {
    MutexLock l(&mu_);
    Table& t =
        tables_[Index(shard ? PubSubKind::kShard : PubSubKind::kChannel)];
    auto it = t.find(std::string(channel));
    if (it != t.end()) {
      Message m{shard ? "smessage" : "message", "", channel, message, {}};
      for (Subscriber* s : it->second.subs) {
        Deliver(s, &m, self, own_out, &batch);
        receivers++;
      }
    }
    if (!shard) {
      for (auto& [pattern, e] : tables_[Index(PubSubKind::kPattern)]) {
        if (!e.glob->Match(channel)) continue;
        Message m{"pmessage", pattern, channel, message, {}};
        for (Subscriber* s : e.subs) {
          Deliver(s, &m, self, own_out, &batch);
          receivers++;
        }
      }
    }
  }
  batch.Flush();
  return receivers;
}

std::vector<std::string> PubSub::Channels(PubSubKind k,
                                          const GlobPattern* pattern) {
  MutexLock l(&mu_);
  std::vector<std::string> names;
  for (auto& [name, e] : tables_[Index(k)]) {
    if (pattern == nullptr || pattern->Match(name)) names.push_back(name);
  }
  return names;
}

size_t PubSub::NumSubscribers(PubSubKind k, const std::string& name) {
  MutexLock l(&mu_);
  auto& t = tables_[Index(k)];
  auto it = t.find(name);
  return it == t.end() ? 0 : it->second.subs.size();
}

size_t PubSub::NumPatterns() { return Count(PubSubKind::kPattern); }

size_t PubSub::Count(PubSubKind k) {
  MutexLock l(&mu_);
  return tables_[Index(k)].size();
}

}  // namespace shale::server
