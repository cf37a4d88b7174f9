#include "server/server_state.h"

namespace shale::server {

void ClientTable::Add(ClientState* c) {
  std::lock_guard<std::mutex> l(mu_);
  clients_[c->id] = c;
}

void ClientTable::Remove(uint64_t id) {
  std::lock_guard<std::mutex> l(mu_);
  clients_.erase(id);
}

void ClientTable::SetName(ClientState* c, std::string name) {
  std::lock_guard<std::mutex> l(mu_);
  c->name = std::move(name);
}

std::string ClientTable::Name(const ClientState* c) {
  std::lock_guard<std::mutex> l(mu_);
  return c->name;
}

size_t ClientTable::size() {
  std::lock_guard<std::mutex> l(mu_);
  return clients_.size();
}

namespace {

// CLIENT LIST's flags, in Redis's order: O (MONITOR), b (blocked, or held
// by CLIENT PAUSE), e (no-evict); N if none.
std::string Flags(const ClientState& c) {
  std::string f;
  if (c.monitoring.load(std::memory_order_relaxed)) f += 'O';
  if (c.blocked.load(std::memory_order_relaxed)) f += 'b';
  if (c.no_evict.load(std::memory_order_relaxed)) f += 'e';
  return f.empty() ? "N" : f;
}

}  // namespace

std::vector<uint64_t> ClientTable::Select(
    const std::function<bool(const ClientState&)>& pred) {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<uint64_t> ids;
  for (auto& [id, c] : clients_) {
    if (pred(*c)) ids.push_back(id);
  }
  return ids;
}

std::string ClientTable::DescribeLocked(const ClientState* c) {
  uint64_t now = Keyspace::NowMs();
  uint64_t last = c->last_ms.load();
  std::string s =
      "id=" + std::to_string(c->id) + " addr=" + c->peer +
      " laddr=" + c->local + " fd=-1 name=" + c->name +
      " age=" + std::to_string((now - c->created_ms) / 1000) +
      " idle=" + std::to_string(now > last ? (now - last) / 1000 : 0) +
      " flags=" + Flags(*c) + " db=" + std::to_string(c->db.load()) +
      " sub=0 psub=0 ssub=0 multi=-1 qbuf=0 "
      "qbuf-free=0 argv-mem=0 multi-mem=0 obl=0 oll=0 omem=0 "
      "tot-mem=0 events=r cmd=" +
      std::string(c->last_cmd.load()) +
      " user=default redir=-1 resp=" + std::to_string(c->resp.load());
  return s;
}

std::string ClientTable::Describe(const ClientState* c) {
  std::lock_guard<std::mutex> l(mu_);
  return DescribeLocked(c) + "\n";
}

std::string ClientTable::List() {
  std::lock_guard<std::mutex> l(mu_);
  std::string s;
  for (auto& [id, c] : clients_) {
    s += DescribeLocked(c);
    s += "\n";
  }
  return s;
}

uint64_t CursorTable::Save(std::string next_key) {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t id = next_++;
  cursors_[id] = std::move(next_key);
  order_.push_back(id);
  while (order_.size() > kMaxCursors) {
    cursors_.erase(order_.front());
    order_.pop_front();
  }
  return id;
}

bool CursorTable::Load(uint64_t cursor, std::string* next_key) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = cursors_.find(cursor);
  if (it == cursors_.end()) return false;
  *next_key = it->second;
  return true;
}

}  // namespace shale::server
