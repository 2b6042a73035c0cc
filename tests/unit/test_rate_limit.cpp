// Rate limits per contact method: at most 1 SMS or call a minute, at most 3 alert calls in 15
// minutes; a send over the limit waits (it is never dropped).
#include <catch.hpp>

#include "notifier/rules/rate_limit.hpp"

namespace {
using namespace piket::notifier;
using piket::TimePoint;
using std::chrono::seconds;
const TimePoint t0{std::chrono::milliseconds(1'800'000'000'000)};
}  // namespace

TEST_CASE("the next send to a method waits for the rate limit of its channel", "[unit][notifier][rate]") {
  struct Row {
    const char* what;
    ChannelKind channel;
    bool alert;
    std::vector<int> sent_s;  // seconds after t0
    int now_s;
    int allowed_s;  // seconds after t0
  };
  const std::vector<Row> rows{
      {"first sms goes at once", ChannelKind::sms, true, {}, 0, 0},
      {"second sms within a minute waits", ChannelKind::sms, true, {0}, 10, 60},
      {"sms a minute later goes", ChannelKind::sms, true, {0}, 60, 60},
      {"e-mail has no limit", ChannelKind::email, true, {0, 1, 2, 3}, 4, 4},
      {"webhook has no limit", ChannelKind::webhook, true, {0, 1}, 2, 2},
      {"voice: one a minute", ChannelKind::voice, true, {100}, 120, 160},
      {"voice: the fourth alert call in 15 minutes waits for the first to age out", ChannelKind::voice, true,
       {0, 60, 120}, 180, 900},
      {"voice: a code call is held to one a minute only", ChannelKind::voice, false, {0, 60, 120}, 180, 180},
      {"voice: calls older than 15 minutes do not count", ChannelKind::voice, true, {0, 60, 120}, 960, 960},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    std::deque<TimePoint> sent;
    for (int s : row.sent_s) sent.push_back(t0 + seconds(s));
    CHECK(next_allowed(sent, rate_rules(row.channel, row.alert), t0 + seconds(row.now_s)) ==
          t0 + seconds(row.allowed_s));
  }
}

TEST_CASE("the rate limiter keeps each method apart and forgets old sends", "[unit][notifier][rate]") {
  RateLimiter limiter;
  limiter.sent("w1/sms-a", t0);
  CHECK(limiter.next_allowed("w1/sms-a", ChannelKind::sms, true, t0 + seconds(5)) == t0 + seconds(60));
  CHECK(limiter.next_allowed("w1/sms-b", ChannelKind::sms, true, t0 + seconds(5)) == t0 + seconds(5));
  CHECK(limiter.next_allowed("w1/sms-a", ChannelKind::sms, true, t0 + seconds(3600)) == t0 + seconds(3600));
}
