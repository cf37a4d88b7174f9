// Pub/sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE SSUBSCRIBE
// SUNSUBSCRIBE PUBLISH SPUBLISH PUBSUB. The registry and delivery are in
// server/pubsub/; this file parses arguments and writes Redis 7.0's replies
// (RESP2 arrays, RESP3 pushes).
#include "server/pubsub/subscriptions.h"
#include "server/redis/command.h"
#include "server/redis/resp_session.h"

namespace shale::server {
namespace {

const char* kNames[3][2] = {{"subscribe", "unsubscribe"},
                            {"psubscribe", "punsubscribe"},
                            {"ssubscribe", "sunsubscribe"}};

// Channels and patterns are bounded like keys: a glob costs up to pattern
// length x channel length / 64 word operations per match.
bool CheckNames(CommandContext& ctx, const Args& a, size_t from) {
  for (size_t i = from; i < a.size(); i++) {
    if (a[i].size() > ctx.server->config.max_key_bytes) {
      ctx.w->Error("ERR channel or pattern is too large (max_key_bytes is " +
                   std::to_string(ctx.server->config.max_key_bytes) + ")");
      return false;
    }
  }
  return true;
}

// One confirmation: [kind, name or nil, count], a push in RESP3.
void Confirm(CommandContext& ctx, PubSubKind k, bool sub,
             const std::string* name) {
  Subscriptions* s = ctx.session->subscriptions();
  ctx.w->Push(3);
  ctx.w->Bulk(kNames[static_cast<int>(k)][sub ? 0 : 1]);
  if (name != nullptr) {
    ctx.w->Bulk(*name);
  } else {
    ctx.w->Null();
  }
  ctx.w->Int(static_cast<int64_t>(k == PubSubKind::kShard
                                      ? s->count(PubSubKind::kShard)
                                      : s->channels_and_patterns()));
}

void SubscribeTo(CommandContext& ctx, Args& a, PubSubKind k) {
  if (!CheckNames(ctx, a, 1)) return;
  Subscriptions* s = ctx.session->subscriptions();
  for (size_t i = 1; i < a.size(); i++) {
    s->Add(k, a[i]);
    Confirm(ctx, k, true, &a[i]);
  }
}

void UnsubscribeFrom(CommandContext& ctx, Args& a, PubSubKind k) {
  Subscriptions* s = ctx.session->subscriptions();
  if (a.size() == 1) {
    std::vector<std::string> names = s->Names(k);
    if (names.empty()) return Confirm(ctx, k, false, nullptr);
    for (const std::string& n : names) {
      s->Remove(k, n);
      Confirm(ctx, k, false, &n);
    }
    return;
  }
  for (size_t i = 1; i < a.size(); i++) {
    s->Remove(k, a[i]);
    Confirm(ctx, k, false, &a[i]);
  }
}

void Subscribe(CommandContext& ctx, Args& a) {
  SubscribeTo(ctx, a, PubSubKind::kChannel);
}
void Psubscribe(CommandContext& ctx, Args& a) {
  SubscribeTo(ctx, a, PubSubKind::kPattern);
}
void Ssubscribe(CommandContext& ctx, Args& a) {
  SubscribeTo(ctx, a, PubSubKind::kShard);
}
void Unsubscribe(CommandContext& ctx, Args& a) {
  UnsubscribeFrom(ctx, a, PubSubKind::kChannel);
}
void Punsubscribe(CommandContext& ctx, Args& a) {
  UnsubscribeFrom(ctx, a, PubSubKind::kPattern);
}
void Sunsubscribe(CommandContext& ctx, Args& a) {
  UnsubscribeFrom(ctx, a, PubSubKind::kShard);
}

void PublishTo(CommandContext& ctx, Args& a, PubSubKind k) {
  if (!CheckNames(ctx, a, 1)) return;
  int64_t n = ctx.server->pubsub.Publish(
      k, a[1], a[2], ctx.session->subscriptions()->subscriber(), ctx.w->out());
  ctx.w->Int(n);
}
void Publish(CommandContext& ctx, Args& a) {
  PublishTo(ctx, a, PubSubKind::kChannel);
}
void Spublish(CommandContext& ctx, Args& a) {
  PublishTo(ctx, a, PubSubKind::kShard);
}

void ListChannels(CommandContext& ctx, Args& a, PubSubKind k) {
  if (a.size() > 3) {
    return ctx.w->Error(
        "ERR unknown subcommand or wrong number of arguments for '" + a[1] +
        "'. Try PUBSUB HELP.");
  }
  std::unique_ptr<GlobPattern> glob;
  if (a.size() == 3) glob = std::make_unique<GlobPattern>(a[2]);
  std::vector<std::string> names = ctx.server->pubsub.Channels(k, glob.get());
  ctx.w->Array(names.size());
  for (const auto& n : names) ctx.w->Bulk(n);
}

void CountSubscribers(CommandContext& ctx, Args& a, PubSubKind k) {
  ctx.w->Map(a.size() - 2);
  for (size_t i = 2; i < a.size(); i++) {
    ctx.w->Bulk(a[i]);
    ctx.w->Int(
        static_cast<int64_t>(ctx.server->pubsub.NumSubscribers(k, a[i])));
  }
}

void PubsubChannels(CommandContext& ctx, Args& a) {
  ListChannels(ctx, a, PubSubKind::kChannel);
}
void PubsubShardChannels(CommandContext& ctx, Args& a) {
  ListChannels(ctx, a, PubSubKind::kShard);
}
void PubsubNumSub(CommandContext& ctx, Args& a) {
  CountSubscribers(ctx, a, PubSubKind::kChannel);
}
void PubsubShardNumSub(CommandContext& ctx, Args& a) {
  CountSubscribers(ctx, a, PubSubKind::kShard);
}
void PubsubNumPat(CommandContext& ctx, Args&) {
  ctx.w->Int(static_cast<int64_t>(ctx.server->pubsub.NumPatterns()));
}

void PubsubHelp(CommandContext& ctx, Args& a) {
  static const char* const kLines[] = {
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> "
      "(default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, "
      "excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a "
      "<pattern> (default: '*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level "
      "channel(s)",
  };
  ReplyHelp(ctx.w, a[0], kLines);
}

constexpr uint32_t P = kCmdPubSub, L = kCmdLoading, F = kCmdFast,
                   NS = kCmdNoScript, NK = kCmdNotKey, MR = kCmdMayReplicate;

const CommandSpec kPubSubSubcommands[] = {
    {"channels", -2, P | L, PubsubChannels, 0, 0, 0, "pubsub",
     "List active channels"},
    {"numpat", 2, P | L, PubsubNumPat, 0, 0, 0, "pubsub",
     "Get the count of unique patterns pattern subscriptions"},
    {"numsub", -2, P | L, PubsubNumSub, 0, 0, 0, "pubsub",
     "Get the count of subscribers for channels"},
    {"shardchannels", -2, P | L, PubsubShardChannels, 0, 0, 0, "pubsub",
     "List active shard channels"},
    {"shardnumsub", -2, P | L, PubsubShardNumSub, 0, 0, 0, "pubsub",
     "Get the count of subscribers for shard channels"},
    {"help", 2, L, PubsubHelp, 0, 0, 0, "pubsub", "Show helpful text"},
};

const CommandSpec kCommands[] = {
    {"subscribe", -2, P | NS | L, Subscribe, 0, 0, 0, "pubsub",
     "Listen for messages published to channels"},
    {"unsubscribe", -1, P | NS | L, Unsubscribe, 0, 0, 0, "pubsub",
     "Stop listening for messages posted to channels"},
    {"psubscribe", -2, P | NS | L, Psubscribe, 0, 0, 0, "pubsub",
     "Listen for messages published to channels matching patterns"},
    {"punsubscribe", -1, P | NS | L, Punsubscribe, 0, 0, 0, "pubsub",
     "Stop listening for messages posted to channels matching patterns"},
    {"ssubscribe", -2, P | NS | L | NK, Ssubscribe, 1, -1, 1, "pubsub",
     "Listen for messages published to shard channels"},
    {"sunsubscribe", -1, P | NS | L | NK, Sunsubscribe, 1, -1, 1, "pubsub",
     "Stop listening for messages posted to shard channels"},
    {"publish", 3, P | L | F | MR, Publish, 0, 0, 0, "pubsub",
     "Post a message to a channel"},
    {"spublish", 3, P | L | F | MR | NK, Spublish, 1, 1, 1, "pubsub",
     "Post a message to a shard channel"},
    {"pubsub", -2, 0, nullptr, 0, 0, 0, "pubsub",
     "Inspect the state of the Pub/Sub subsystem", kPubSubSubcommands},
};

}  // namespace

std::span<const CommandSpec> PubSubCommands() { return kCommands; }

}  // namespace shale::server
