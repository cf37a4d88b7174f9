#include "server/keyspace/zset.h"

#include <bit>
#include <cstdint>

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
}

void ZSet::Remove(std::string_view member, double score) {
  z_->Delete(member);
  buf_.clear();
  AppendScoreSub(&buf_, score, member);
  z_->DeleteEntry(KeyKind::kZSetScore, buf_);
  z_->AddCount(-1);
}

}  // namespace shale::server
