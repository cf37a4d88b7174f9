#include "server/keyspace/zset.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>

#include "server/keyspace/element_iterator.h"

namespace shale::server {

void AppendScoreSub(std::string* out, double score, std::string_view member) {
  AppendOrderedScore(out, score);
  out->append(member);
}

bool ParseScoreSub(std::string_view sub, double* score,
                   std::string_view* member) {
  if (sub.size() < 8) return false;
  *score = DecodeOrderedScore(sub.data());
  *member = sub.substr(8);
  return true;
}

std::string ScoreSubAfter(double score) {
  std::string s;
  AppendOrderedScore(&s, score);
  // Never all 0xFF bytes: +inf encodes as 0xFFF0..., NaN is never stored.
  return PrefixSuccessor(s);
}

void EncodeScoreValue(std::string* out, double score) {
  uint64_t bits = std::bit_cast<uint64_t>(score);
  for (int i = 7; i >= 0; i--) {
    out->push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
  }
}

bool DecodeScoreValue(std::string_view v, double* score) {
  if (v.size() != 8) return false;
  uint64_t bits = 0;
  for (char c : v) bits = (bits << 8) | static_cast<unsigned char>(c);
  *score = std::bit_cast<double>(bits);
  return true;
}

namespace {

// The ordered score as the u64 its 8 bytes read as (never 0).
uint64_t OrderedBits(double score) {
  std::string s;
  AppendOrderedScore(&s, score);
  uint64_t b = 0;
  for (char c : s) b = (b << 8) | static_cast<unsigned char>(c);
  return b;
}

// The low bound's member for a first live member: a prefix of it, which
// sorts no later.
std::string_view LowBoundMember(std::string_view member) {
  return member.substr(0, kZSetBoundMemberMax);
}

// The high bound's member for a last live member: itself, or none (the
// whole score) if it is longer than the metadata keeps.
std::optional<std::string_view> HighBoundMember(std::string_view member) {
  if (member.size() > kZSetBoundMemberMax) return std::nullopt;
  return member;
}

std::string BitsSub(uint64_t b) {
  std::string s;
  for (int i = 7; i >= 0; i--) {
    s.push_back(static_cast<char>((b >> (8 * i)) & 0xFF));
  }
  return s;
}

}  // namespace

std::string ZSet::LowSub() const {
  const ValueMeta& m = z_->meta();
  if (m.zset_low == 0) return std::string();
  return BitsSub(m.zset_low) + m.zset_low_member;
}

std::string ZSet::HighSubAfter() const {
  const ValueMeta& m = z_->meta();
  if (m.zset_low == 0) return std::string();
  // The entry right after (high, member) is (high, member + "\0").
  if (m.zset_high_has_member) {
    return BitsSub(m.zset_high) + m.zset_high_member + std::string(1, '\0');
  }
  // high is an ordered score, never all 1 bits: its successor exists.
  return PrefixSuccessor(BitsSub(m.zset_high));
}

void ZSet::SeekFirst(ElementIterator* it) {
  const std::string low = LowSub();
  if (low.empty()) {
    it->SeekToFirst();
  } else {
    it->Seek(low);
  }
}

void ZSet::SeekLast(ElementIterator* it) {
  const std::string after = HighSubAfter();
  if (after.empty()) {
    it->SeekToLast();
    return;
  }
  it->SeekForPrev(after);
  // An entry equal to the target itself is past the bound (none is live).
  if (it->Valid() && it->sub() == after) it->Prev();
}

void ZSet::WidenBounds(uint64_t b, std::string_view member, bool first) {
  const ValueMeta& m = z_->meta();
  if (!first && m.zset_low == 0) return;  // unknown bounds stay unknown
  const bool below = first || b < m.zset_low ||
                     (b == m.zset_low && member < m.zset_low_member);
  // A high bound without a member covers its whole score already.
  const bool above = first || b > m.zset_high ||
                     (b == m.zset_high && m.zset_high_has_member &&
                      member > m.zset_high_member);
  if (below) z_->SetZSetLow(b, LowBoundMember(member));
  if (above) z_->SetZSetHigh(b, HighBoundMember(member));
}

void ZSet::NoteRemoved(double score) {
  const ValueMeta& m = z_->meta();
  if (m.zset_low == 0) return;
  const uint64_t b = OrderedBits(score);
  if (b == m.zset_low) low_stale_ = true;
  if (b == m.zset_high) high_stale_ = true;
}

Status ZSet::Tighten() {
  if (!low_stale_ && !high_stale_) return Status::OK();
  const bool low = low_stale_, high = high_stale_;
  low_stale_ = high_stale_ = false;
  if (!z_->found() || z_->count() == 0) return Status::OK();
  // The entry an iterator is at: its ordered score and member.
  auto read = [](ElementIterator* it, uint64_t* b) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | static_cast<unsigned char>(it->sub()[i]);
    }
    *b = v;
    return it->sub().substr(8);
  };
  uint64_t b = 0;
  if (low) {
    auto it = NewScoreIterator();
    SeekFirst(it.get());
    if (!it->status().ok()) return it->status();
    if (it->Valid() && it->sub().size() >= 8) {
      std::string_view member = read(it.get(), &b);
      z_->SetZSetLow(b, LowBoundMember(member));
    }
  }
  if (high) {
    auto it = NewScoreIterator();
    SeekLast(it.get());
    if (!it->status().ok()) return it->status();
    if (it->Valid() && it->sub().size() >= 8) {
      std::string_view member = read(it.get(), &b);
      z_->SetZSetHigh(b, HighBoundMember(member));
    }
  }
  return Status::OK();
}

Status ZSet::Score(std::string_view member, double* score) {
  if (!z_->found()) return Status::NotFound("no sorted set");
  Status s = z_->Get(member, &buf_);
  if (!s.ok()) return s;
  if (!DecodeScoreValue(buf_, score)) {
    return Status::Corruption("sorted-set score is not 8 bytes");
  }
  return Status::OK();
}

void ZSet::Put(std::string_view member, double score, bool had_old,
               double old_score) {
  if (score == 0) score = 0;  // -0 is stored as +0, as Redis's listpack
  const bool first = !had_old && z_->count() == 0;
  buf_.clear();
  EncodeScoreValue(&buf_, score);
  z_->Put(member, buf_);
  if (had_old) {
    buf_.clear();
    AppendScoreSub(&buf_, old_score, member);
    z_->DeleteEntry(KeyKind::kZSetScore, buf_);
  } else {
    z_->AddCount(1);
  }
  buf_.clear();
  AppendScoreSub(&buf_, score, member);
  z_->PutEntry(KeyKind::kZSetScore, buf_, {});
  if (had_old) NoteRemoved(old_score);
  WidenBounds(OrderedBits(score), member, first);
}

void ZSet::Remove(std::string_view member, double score) {
  z_->Delete(member);
  buf_.clear();
  AppendScoreSub(&buf_, score, member);
  z_->DeleteEntry(KeyKind::kZSetScore, buf_);
  z_->AddCount(-1);
  NoteRemoved(score);
}

}  // namespace shale::server
