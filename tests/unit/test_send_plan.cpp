// Rules -> the plan of sends of one alert: which methods ring, when, and what the ladder's
// "second" step uses. Table-driven over workers' methods and rules.
#include <catch.hpp>

#include <string>
#include <vector>

#include "notifier/rules/send_plan.hpp"

namespace {
using namespace piket::notifier;

ContactMethod method(const std::string& id, ChannelKind channel, bool verified = true) {
  ContactMethod m;
  m.id = id;
  m.channel = channel;
  m.address = id + "-address";
  m.verified = verified;
  return m;
}

// "id@after" per send, in order.
std::vector<std::string> sends(const std::vector<PlannedSend>& plan) {
  std::vector<std::string> out;
  for (const auto& p : plan) out.push_back(p.method.id + "@" + std::to_string(p.after_s) +
                                           (p.series > 1 ? "#" + std::to_string(p.series) : ""));
  return out;
}

const UrgencySteps kT1{{ChannelKind::webhook, 0}, {ChannelKind::sms, 0}, {ChannelKind::voice, 60},
                       {ChannelKind::email, 120}};
}  // namespace

TEST_CASE("a worker's rules and verified methods decide which methods ring and when", "[unit][notifier][rules]") {
  const auto hook = method("hook", ChannelKind::webhook);
  const auto sms = method("sms", ChannelKind::sms);
  const auto sms2 = method("sms2", ChannelKind::sms);
  const auto voice = method("voice", ChannelKind::voice);
  const auto mail = method("mail", ChannelKind::email);
  const auto unverified_sms = method("sms-new", ChannelKind::sms, false);
  const UrgencySteps again{{ChannelKind::sms, 0}, {ChannelKind::sms, 180}};
  struct Row {
    const char* what;
    const UrgencySteps* steps;
    std::vector<ContactMethod> methods;
    std::string ladder;
    std::vector<std::string> expected;
  };
  const std::vector<Row> rows{
      {"every channel of T1 in order", &kT1, {hook, sms, voice, mail}, "primary",
       {"hook@0", "sms@0", "voice@60", "mail@120"}},
      {"a channel without a method is left out", &kT1, {sms, mail}, "primary", {"sms@0", "mail@120"}},
      {"unverified methods never ring", &kT1, {unverified_sms, mail}, "primary", {"mail@120"}},
      {"two phones both ring", &kT1, {sms, sms2}, "primary", {"sms@0", "sms2@0"}},
      {"a channel twice is a second series", &again, {sms}, "primary", {"sms@0", "sms@180#2"}},
      {"no step fits: the first verified method at once", &again, {mail, hook}, "primary", {"mail@0"}},
      {"no rules: the first verified method at once", nullptr, {unverified_sms, hook}, "primary", {"hook@0"}},
      {"nothing verified: nothing", &kT1, {unverified_sms}, "primary", {}},
      {"second skips the at-once channels and moves up", &kT1, {hook, sms, voice, mail}, "second",
       {"voice@0", "mail@60"}},
      {"second with only at-once channels in the rules takes another verified one", &again, {sms, mail},
       "second", {"mail@0"}},
      {"second with one channel only repeats it", &kT1, {sms}, "second", {"sms@0"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    CHECK(sends(plan_sends(row.steps, row.methods, row.ladder)) == row.expected);
  }
}

TEST_CASE("fail-over moves the plan's next step forward, then tries the worker's other channels",
          "[unit][notifier][rules]") {
  const auto hook = method("hook", ChannelKind::webhook);
  const auto sms = method("sms", ChannelKind::sms);
  const auto voice = method("voice", ChannelKind::voice);
  const auto mail = method("mail", ChannelKind::email);
  const std::vector<ContactMethod> methods{hook, sms, method("mail-x", ChannelKind::email, false), mail, voice};
  // The plan: SMS now, e-mail after 10 minutes, voice after 20.
  const std::vector<PlannedSend> plan{{sms, 0, 1}, {mail, 600, 1}, {voice, 1200, 1}};
  struct Row {
    const char* what;
    std::set<std::string> started;
    std::set<ChannelKind> tried_or_shut;
    std::string expected;  // "" = none
  };
  const std::vector<Row> rows{
      {"SMS failed: the e-mail step comes forward", {"sms"}, {ChannelKind::sms}, "mail"},
      {"SMS and e-mail failed: voice comes forward", {"sms", "mail"}, {ChannelKind::sms, ChannelKind::email}, "voice"},
      {"e-mail shut by its breaker: voice", {"sms"}, {ChannelKind::sms, ChannelKind::email}, "voice"},
      {"every planned step used: the worker's webhook", {"sms", "mail", "voice"},
       {ChannelKind::sms, ChannelKind::email, ChannelKind::voice}, "hook"},
      {"a step already under way is not sent twice", {"sms", "mail", "voice", "hook"}, {ChannelKind::sms}, ""},
      {"every channel tried or shut: none", {"sms"},
       {ChannelKind::sms, ChannelKind::email, ChannelKind::webhook, ChannelKind::voice}, ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    auto next = fail_over_method(plan, methods, row.started, row.tried_or_shut);
    CHECK((next ? next->id : std::string{}) == row.expected);
  }
}
