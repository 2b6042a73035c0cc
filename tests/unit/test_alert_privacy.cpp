// Alerts carry no names, addresses, ages or narrative on any channel: an alert stuffed with
// personal data (as if a bug upstream had put it there) is rendered for every channel, and no
// piece of that data may appear in any body, subject or header.
#include <catch.hpp>

#include "notifier/channels/alert_text.hpp"
#include "notifier/channels/channel_config.hpp"
#include "notifier/channels/smtp_channel.hpp"
#include "notifier/rules/notification_rules.hpp"

namespace {
using namespace piket::notifier;
using nlohmann::json;

const std::vector<std::string> kPersonal{"Jansen",      "Maria",     "Kerkstraat 12", "3811 AB",
                                         "leeftijd 4",  "age 4",     "0612345678",    "slaat",
                                         "REPORTER-X",  "2019-03-04"};

json stuffed_alert() {
  return json{{"alert_id", "r-1-1"},
              {"kind", "callout"},
              {"assignment", "r-1-1"},
              {"worker", "w-ut-01"},
              {"reference", "r-1"},
              {"urgency", "T1"},
              {"municipality", "Amersfoort"},
              {"region", "eemland"},
              {"deadline_ms", 1'800'000'000'000},
              {"link", "https://piket.example/api/v1/reports/r-1"},
              {"name", "Maria Jansen"},
              {"child", {{"name", "Maria"}, {"age", "leeftijd 4"}, {"born", "2019-03-04"}}},
              {"address", "Kerkstraat 12, 3811 AB"},
              {"narrative", "vader slaat, age 4"},
              {"reporter", {{"name", "REPORTER-X"}, {"phone", "0612345678"}}}};
}

void check_clean(const std::string& what, const std::string& text) {
  for (const auto& personal : kPersonal) {
    CAPTURE(what, personal);
    CHECK(text.find(personal) == std::string::npos);
  }
}
}  // namespace

TEST_CASE("no channel's alert carries a name, address, age or narrative", "[unit][notifier][privacy]") {
  const json alert = stuffed_alert();
  const AlertText text = render_alert(alert, "Europe/Amsterdam");
  // What is there: the reference, the urgency, the place, the short code and the link.
  CHECK(text.text.find("r-1") != std::string::npos);
  CHECK(text.text.find("T1") != std::string::npos);
  CHECK(text.text.find("Amersfoort") != std::string::npos);
  CHECK(text.text.find(short_code("r-1-1")) != std::string::npos);
  CHECK(text.text.find("https://piket.example/api/v1/reports/r-1") != std::string::npos);

  check_clean("webhook body", alert_public_fields(alert).dump());
  check_clean("sms / voice text", text.text);
  check_clean("subject", text.subject);

  OutgoingMessage message;
  message.notification_id = "n-abc";
  message.alert_id = "r-1-1";
  message.text = text;
  SmtpConfig smtp;
  smtp.from = "piket@example.org";
  check_clean("e-mail (headers and body)",
              build_mail(smtp, "w@example.org", message, piket::TimePoint{std::chrono::milliseconds(1'800'000'000'000)}));
  for (const char* content_type : {"application/json", "application/x-www-form-urlencoded"})
    check_clean(std::string("provider body ") + content_type,
                render_provider_body(R"({"to":"{{to}}","text":"{{text}}","ref":"{{notification_id}}"})", content_type,
                                     {{"to", "+31612345678"}, {"text", text.text}, {"notification_id", "n-abc"}}));
}

TEST_CASE("a provider body template escapes each value for its content type", "[unit][notifier][channels]") {
  const std::map<std::string, std::string> values{{"to", "+31612345678"}, {"text", "a \"b\"\n& c=d"}};
  CHECK(render_provider_body(R"({"to":"{{to}}","text":"{{text}}"})", "application/json", values) ==
        R"({"to":"+31612345678","text":"a \"b\"\n& c=d"})");
  CHECK(render_provider_body("To={{to}}&Body={{text}}", "application/x-www-form-urlencoded", values) ==
        "To=%2B31612345678&Body=a+%22b%22%0A%26+c%3Dd");
}

TEST_CASE("channel configuration problems are all listed, naming the key", "[unit][notifier][config]") {
  std::vector<piket::ConfigProblem> problems;
  parse_channel_config("piket.toml", R"(
[notifier]
breaker_failures = 0
[notifier.email]
smtp_url = "http://mail.example.org"
from = "not an address"
username = "piket"
[notifier.sms]
url = "ftp://sms.example"
content_type = "text/plain"
body = '{"number": "{{phone}}"}'
auth_secret = "inline!"
)", problems);
  std::string all;
  for (const auto& p : problems) all += p.key + "\n";
  INFO(all);
  for (const char* key : {"notifier.breaker_failures", "notifier.email.smtp_url", "notifier.email.from",
                          "notifier.email.password_env", "notifier.sms.url", "notifier.sms.content_type",
                          "notifier.sms.body", "notifier.sms.auth_secret"})
    CHECK(all.find(std::string(key) + "\n") != std::string::npos);
}

TEST_CASE("the example piket.toml's channel settings load without a problem", "[unit][notifier][config]") {
  piket::PiketConfig config;
  config.file = std::string(PIKET_SOURCE_DIR) + "/config/piket.toml";
  std::vector<piket::ConfigProblem> problems;
  const auto channels = load_channel_config(config, problems);
  std::string all;
  for (const auto& p : problems) all += p.to_string() + "\n";
  INFO(all);
  CHECK(problems.empty());
  CHECK(channels.rules_file.ends_with("config/demo/notification_rules.toml"));
  CHECK_FALSE(channels.email.enabled);
  std::vector<piket::ConfigProblem> rule_problems;
  load_rule_defaults(channels.rules_file, rule_problems);
  CHECK(rule_problems.empty());
}

TEST_CASE("deadline and coverage-gap alerts say what is due in both languages, in local time",
          "[unit][notifier][privacy]") {
  json deadline = stuffed_alert();
  deadline["kind"] = "deadline";
  deadline["notice"] = "first_contact_due";
  deadline.erase("deadline_ms");
  const AlertText due = render_alert(deadline, "Europe/Amsterdam");
  CHECK(due.text.find("termijn / deadline") != std::string::npos);
  CHECK(due.text.find("first contact overdue") != std::string::npos);
  CHECK(alert_public_fields(deadline)["notice"] == "first_contact_due");
  check_clean("deadline text", due.text);

  const json gap{{"alert_id", "gap-utrecht-crisis_worker-1-2-w-ut-05"},
                 {"kind", "coverage_gap"},
                 {"worker", "w-ut-05"},
                 {"region", "utrecht"},
                 {"start", "2027-03-27T23:00:00Z"},  // 00:00 CET
                 {"end", "2027-03-28T05:00:00Z"},    // 07:00 CEST: the short night
                 {"staffed", 1},
                 {"minimum", 2}};
  const AlertText text = render_alert(gap, "Europe/Amsterdam");
  CHECK(text.text.find("bezettingsgat / coverage gap") != std::string::npos);
  CHECK(text.text.find("utrecht") != std::string::npos);
  CHECK(text.text.find("28-03 00:00 - 28-03 07:00") != std::string::npos);
}
