// Set commands on one or two keys: SADD SREM SMEMBERS SISMEMBER SMISMEMBER
// SCARD SPOP SRANDMEMBER SMOVE SSCAN (the algebra of several sets is in
// cmd_set_ops.cc).
//
// A set is a collection (keyspace/collection.h): one metadata entry with
// its member count, one empty engine entry per member
// (docs/format/server_keys.md §4.2), so members come out in byte order,
// not in Redis's hash-table order (docs/protocols.md). SADD, SREM,
// SISMEMBER, SMISMEMBER, SMOVE are point reads and writes; SCARD reads the
// metadata only. SPOP and SRANDMEMBER pick uniformly among positions in
// member order and walk the members up to the last pick: O(n) time, memory
// O(picks) (docs/protocols.md).
#include <algorithm>
#include <vector>

#include "server/redis/collection_cmd.h"

namespace shale::server {
namespace {

// Whether member is in the open set s (false if s is absent); engine errors
// through *err.
bool IsMember(Collection* s, std::string_view member, Status* err) {
  if (!s->found()) return false;
  std::string v;
  Status st = s->Get(member, &v);
  if (!st.ok() && !st.IsNotFound()) *err = st;
  return st.ok();
}

// Adds member to s unless it is there; *added says whether it was not.
Status AddMember(CommandContext& ctx, Collection* s, std::string_view member,
                 bool* added) {
  Status err;
  *added = false;
  if (IsMember(s, member, &err) || !err.ok()) return err;
  s->Put(member, {});
  s->AddCount(1);
  NoteSetAdd(ctx, s, member);
  *added = true;
  return Status::OK();
}

void SAdd(CommandContext& ctx, Args& a) {
  Collection s(ctx.ks(), KeyType::kSet);
  if (!OpenColl(ctx, &s, a[1])) return;
  int64_t added = 0;
  for (size_t i = 2; i < a.size(); i++) {
    bool one;
    Status st = AddMember(ctx, &s, a[i], &one);
    if (!st.ok()) return ReplyStatus(ctx.w, st);
    added += one;
  }
  if (added > 0 && !FinishColl(ctx, &s, kNotifySet, "sadd")) return;
  ctx.w->Int(added);
}

void SRem(CommandContext& ctx, Args& a) {
  Collection s(ctx.ks(), KeyType::kSet);
  if (!OpenColl(ctx, &s, a[1])) return;
  if (!s.found()) return ctx.w->Int(0);
  int64_t n = 0;
  for (size_t i = 2; i < a.size(); i++) {
    bool removed;
    Status st = s.Remove(a[i], &removed);
    if (!st.ok()) return ReplyStatus(ctx.w, st);
    n += removed;
  }
  if (n > 0 && !FinishColl(ctx, &s, kNotifySet, "srem")) return;
  ctx.w->Int(n);
}

// SMEMBERS: the whole set, streamed from one iterator (a RESP3 set).
void SMembers(CommandContext& ctx, Args& a) {
  Collection s(ctx.ks(), KeyType::kSet);
  if (!OpenCollRead(ctx, &s, a[1])) return;
  const uint64_t n = s.found() ? s.count() : 0;
  std::string* out = ctx.w->out();
  const size_t mark = out->size();
  ctx.w->Set(n);
  if (n == 0) return;
  auto it = s.NewIterator();
  uint64_t seen = 0;
  for (it->SeekToFirst(); it->Valid() && seen < n; it->Next(), seen++) {
    ctx.w->Bulk(it->sub());
  }
  Status st = it->status();
  if (st.ok() && (seen != n || it->Valid())) {
    st = Status::Corruption("set count does not match its members");
  }
  if (!st.ok()) {
    out->resize(mark);
    ReplyStatus(ctx.w, st);
  }
}

void SIsMember(CommandContext& ctx, Args& a) {
  Collection s(ctx.ks(), KeyType::kSet);
  if (!OpenCollRead(ctx, &s, a[1])) return;
  Status err;
  const bool in = IsMember(&s, a[2], &err);
  if (!err.ok()) return ReplyStatus(ctx.w, err);
  ctx.w->Int(in ? 1 : 0);
}

void SMIsMember(CommandContext& ctx, Args& a) {
  Collection s(ctx.ks(), KeyType::kSet);
  if (!OpenCollRead(ctx, &s, a[1])) return;
  // Every probe before the reply, so an engine error replaces all of it.
  std::vector<bool> in(a.size() - 2);
  Status err;
  for (size_t i = 2; i < a.size(); i++) {
    in[i - 2] = IsMember(&s, a[i], &err);
    if (!err.ok()) return ReplyStatus(ctx.w, err);
  }
  ctx.w->Array(in.size());
  for (bool b : in) ctx.w->Int(b ? 1 : 0);
}

void SCard(CommandContext& ctx, Args& a) {
  Collection s(ctx.ks(), KeyType::kSet);
  if (!OpenCollRead(ctx, &s, a[1])) return;
  ctx.w->Int(s.found() ? static_cast<int64_t>(s.count()) : 0);
}

// One member picked uniformly at random from a found set.
Status PickOne(Collection* s, std::string* member) {
  std::vector<uint64_t> idx{Rng()() % s->count()};
  std::vector<Element> got;
  Status st = ReadAt(s, idx, &got);
  if (st.ok()) *member = std::move(got[0].sub);
  return st;
}

// SPOP key count, as Redis's spopWithCountCommand: a RESP3 set of count
// distinct members (all of them, and the key goes, if count >= SCARD).
void SPopCount(CommandContext& ctx, Args& a) {
  int64_t l;
  if (!ParseInt64(a[2], &l) || l < 0) {
    return ctx.w->Error("ERR value is out of range, must be positive");
  }
  Collection s(ctx.ks(), KeyType::kSet);
  if (!OpenColl(ctx, &s, a[1])) return;
  if (!s.found() || l == 0) return ctx.w->Set(0);
  const uint64_t size = s.count();
  const uint64_t count = std::min(static_cast<uint64_t>(l), size);
  std::vector<uint64_t> idx;
  SamplePositions(size, count, &idx);
  std::vector<Element> got;
  Status st = ReadAt(&s, idx, &got);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  for (const Element& e : got) s.Delete(e.sub);
  s.AddCount(-static_cast<int64_t>(got.size()));
  if (!FinishColl(ctx, &s, kNotifySet, "spop")) return;
  // A part of the set comes in random order; the whole set in member
  // order, as SMEMBERS.
  if (count < size) std::shuffle(got.begin(), got.end(), Rng());
  ctx.w->Set(got.size());
  for (const Element& e : got) ctx.w->Bulk(e.sub);
}

// SPOP key [count].
void SPop(CommandContext& ctx, Args& a) {
  if (a.size() == 3) return SPopCount(ctx, a);
  if (a.size() > 3) return ctx.w->Error(kErrSyntax);
  Collection s(ctx.ks(), KeyType::kSet);
  if (!OpenColl(ctx, &s, a[1])) return;
  if (!s.found()) return ctx.w->Null();
  std::string member;
  Status st = PickOne(&s, &member);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  s.Delete(member);
  s.AddCount(-1);
  if (!FinishColl(ctx, &s, kNotifySet, "spop")) return;
  ctx.w->Bulk(member);
}

// SRANDMEMBER key count, as Redis's srandmemberWithCountCommand: a positive
// count picks distinct members (all of them if count >= SCARD), a negative
// one -count members with repetition.
void SRandMemberCount(CommandContext& ctx, Args& a) {
  int64_t l;
  if (!ParseInt64(a[2], &l)) return ctx.w->Error(kErrNotInt);
  if (l == INT64_MIN) {
    return ctx.w->Error(
        "ERR value is out of range, value must between "
        "-9223372036854775807 and 9223372036854775807");
  }
  Collection s(ctx.ks(), KeyType::kSet);
  if (!OpenCollRead(ctx, &s, a[1])) return;
  if (!s.found() || l == 0) return ctx.w->Array(0);
  const uint64_t size = s.count();
  std::vector<uint64_t> idx;
  std::vector<Element> got;
  if (l > 0) {
    const uint64_t count = std::min(static_cast<uint64_t>(l), size);
    SamplePositions(size, count, &idx);
    Status st = ReadAt(&s, idx, &got);
    if (!st.ok()) return ReplyStatus(ctx.w, st);
    if (count < size) std::shuffle(got.begin(), got.end(), Rng());
    ctx.w->Array(got.size());
    for (const Element& e : got) ctx.w->Bulk(e.sub);
    return;
  }
  // With repetition; a pick is at least "$0\r\n\r\n".
  ReplyRepeatPicks(
      ctx, "SRANDMEMBER", &s, static_cast<uint64_t>(-l), 6,
      [&](uint64_t n) { ctx.w->Array(n); },
      [&](const Element& e) { ctx.w->Bulk(e.sub); });
}

// SRANDMEMBER key [count].
void SRandMember(CommandContext& ctx, Args& a) {
  if (a.size() == 3) return SRandMemberCount(ctx, a);
  if (a.size() > 3) return ctx.w->Error(kErrSyntax);
  Collection s(ctx.ks(), KeyType::kSet);
  if (!OpenCollRead(ctx, &s, a[1])) return;
  if (!s.found()) return ctx.w->Null();
  std::string member;
  Status st = PickOne(&s, &member);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  ctx.w->Bulk(member);
}

// SMOVE source destination member, with Redis's order of checks: a missing
// source answers 0 before any type check.
void SMove(CommandContext& ctx, Args& a) {
  Collection src(ctx.ks(), KeyType::kSet);
  Collection dst(ctx.ks(), KeyType::kSet);
  Status st = src.Open(a[1]);
  if (st.ok()) st = dst.Open(a[2]);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  if (src.state() == Collection::State::kAbsent) return ctx.w->Int(0);
  if (src.wrong_type() || dst.wrong_type()) {
    return ctx.w->Error(kErrWrongType);
  }
  Status err;
  if (a[1] == a[2]) {
    const bool in = IsMember(&src, a[3], &err);
    if (!err.ok()) return ReplyStatus(ctx.w, err);
    return ctx.w->Int(in ? 1 : 0);
  }
  bool removed;
  st = src.Remove(a[3], &removed);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  if (!removed) return ctx.w->Int(0);
  if (!FinishColl(ctx, &src, kNotifySet, "srem")) return;
  bool added;
  st = AddMember(ctx, &dst, a[3], &added);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  if (added && !FinishColl(ctx, &dst, kNotifySet, "sadd")) return;
  ctx.w->Int(1);
}

// SSCAN key cursor [MATCH pattern] [COUNT count]: members.
void SScan(CommandContext& ctx, Args& a) {
  ScanCollection(ctx, a, KeyType::kSet, false);
}

constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly, F = kCmdFast;

const CommandSpec kCommands[] = {
    {"sadd", -3, W | F, SAdd, 1, 1, 1, "set", "Add members to a set"},
    {"srem", -3, W | F, SRem, 1, 1, 1, "set", "Remove members from a set"},
    {"smembers", 2, R, SMembers, 1, 1, 1, "set", "Every member of a set"},
    {"sismember", 3, R | F, SIsMember, 1, 1, 1, "set",
     "Whether a value is a member"},
    {"smismember", -3, R | F, SMIsMember, 1, 1, 1, "set",
     "Whether each value is a member"},
    {"scard", 2, R | F, SCard, 1, 1, 1, "set", "Number of members"},
    {"spop", -2, W | F, SPop, 1, 1, 1, "set", "Remove random members"},
    {"srandmember", -2, R, SRandMember, 1, 1, 1, "set", "Random members"},
    {"smove", 4, W | F, SMove, 1, 2, 1, "set",
     "Move a member from one set to another"},
    {"sscan", -3, R, SScan, 1, 1, 1, "set", "Iterate over members"},
};

}  // namespace

std::span<const CommandSpec> SetCommands() { return kCommands; }

}  // namespace shale::server
