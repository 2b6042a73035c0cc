// End to end through the real notifier and gateway: contact methods added through the API,
// verified with the code that reached them, tested; alerts sent by the worker's rules over
// SMS (a provider played by a local HTTP server), e-mail (a real local SMTP server, aiosmtpd)
// and webhooks; a provider that fails fails over to the next channel at once, and the breaker
// keeps later alerts off it. Every alert text is checked for the personal data planted in it.
#include <catch.hpp>

#include <fstream>
#include <regex>
#include <string>

#include "tests/support/eventually.hpp"
#include "tests/support/smtp_sink.hpp"
#include "tests/support/stack.hpp"
#include "tests/support/test_clock.hpp"
#include "tests/support/webhook_sink.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using piket::test::eventually;
using piket::test::SinkAnswer;
using piket::test::SinkRequest;
using piket::test::SmtpSink;
using piket::test::Stack;
using piket::test::WebhookSink;

namespace {

const std::string kPhone = "+31612345678";
const std::string kMail = "w.chan@example.org";
// Planted in every alert: none of it may reach any channel.
const std::vector<std::string> kPersonal{"Maria Jansen", "Kerkstraat 12", "vader slaat"};

std::string receipt_secret_file() {
  static const std::string file = [] {
    const std::string path = piket::test::make_temp_dir("piket-receipt") + "/secret";
    std::ofstream(path) << "receipt-secret\n";
    return path;
  }();
  return file;
}

// A stack whose notifier has e-mail through `smtp` and SMS and voice through `provider`, with
// the demo's notification rules.
piket::test::StackOptions channel_stack(const SmtpSink& smtp, const WebhookSink& provider,
                                        const std::string& extra = "") {
  auto options = piket::test::starting_at(piket::test::weekday_afternoon());
  options.notifier["rules_file"] = "\"" + std::string(PIKET_SOURCE_DIR) + "/config/demo/notification_rules.toml\"";
  options.notifier_toml =
      extra + "\n[notifier.email]\nsmtp_url = \"" + smtp.url() + "\"\nfrom = \"piket@example.org\"\n" +
      "[notifier.sms]\nurl = \"" + provider.url("/sms") + "\"\nauth_header = \"\"\n" +
      "receipt_secret_file = \"" + receipt_secret_file() + "\"\n" +
      R"(body = '{"to": "{{to}}", "text": "{{text}}", "ref": "{{notification_id}}", "purpose": "{{purpose}}"}')" +
      "\n[notifier.voice]\nurl = \"" + provider.url("/voice") + "\"\nauth_header = \"\"\n" +
      R"(body = '{"to": "{{to}}", "say": "{{text}}"}')" + "\n";
  return options;
}

void add_worker(const Stack& stack, const std::string& id, const std::string& hook) {
  const json worker{{"id", id},          {"name", "Maria Jansen"}, {"region", "eemland"},
                    {"roles", {"crisis_worker"}}, {"webhook_url", hook}, {"daily_case_limit", 4}};
  const auto reply = stack.post("/api/v1/workers", worker);
  INFO(reply.body);
  REQUIRE(reply.status == 201);
}

std::vector<SinkRequest> sms_requests(const WebhookSink& provider) {
  std::vector<SinkRequest> out;
  for (auto& r : provider.requests())
    if (r.path == "/sms") out.push_back(r);
  return out;
}

std::string six_digits(const std::string& text) {
  std::smatch m;
  return std::regex_search(text, m, std::regex("[0-9]{6}")) ? m.str() : "";
}

// Adds a method as the worker and enters the code that reached it; returns the method's id.
std::string add_verified(const Stack& stack, const std::string& worker, const std::string& channel,
                         const std::string& address, const std::function<std::string()>& last_code_text) {
  const auto& me = stack.as_worker(worker);
  auto added = me.post("/api/v1/workers/" + worker + "/contact-methods", {{"channel", channel}, {"address", address}});
  INFO(added.body);
  REQUIRE(added.status == 201);
  CHECK(added.json()["contact_method"]["verified"] == false);
  const std::string id = added.json()["contact_method"]["id"];
  std::string code;
  REQUIRE(eventually([&] { return !(code = six_digits(last_code_text())).empty(); }, 10s));
  auto verified = me.post("/api/v1/workers/" + worker + "/contact-methods/" + id + "/verify", {{"code", code}});
  INFO(verified.body);
  REQUIRE(verified.status == 200);
  CHECK(verified.json()["contact_method"]["verified"] == true);
  return id;
}

void queue_callout(const Stack& stack, const std::string& alert_id, const std::string& worker,
                   const std::string& ladder_channel = "primary") {
  stack.redis().cli("HSET piket:assignment:" + alert_id + " state alerted worker " + worker);
  const json alert{{"alert_id", alert_id}, {"assignment", alert_id}, {"kind", "callout"},
                   {"worker", worker},     {"reference", "r-chan"},  {"urgency", "T1"},
                   {"channel", ladder_channel}, {"municipality", "Amersfoort"}, {"region", "eemland"},
                   {"link", "http://127.0.0.1/r/r-chan"},
                   // As if a bug upstream had put personal data into the alert:
                   {"name", "Maria Jansen"}, {"address", "Kerkstraat 12"}, {"narrative", "vader slaat"}};
  const std::string out = stack.redis().cli("XADD piket:stream:alerts '*' alert '" + alert.dump() + "'");
  REQUIRE(out.find('-') != std::string::npos);
}

std::string status_of(const Stack& stack, const std::string& alert_id) {
  std::string out = stack.redis().cli("HGET piket:alert:" + alert_id + " status");
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

void check_clean(const std::string& what, const std::string& text) {
  for (const auto& personal : kPersonal) {
    CAPTURE(what, personal, text);
    CHECK(text.find(personal) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("a worker verifies an SMS number and an e-mail address with the codes that reached them, "
          "tests them, and an alert then rings them by the worker's rules, with no personal data",
          "[e2e][notifier][channels]") {
  SmtpSink smtp;
  WebhookSink provider([](const SinkRequest&) { return SinkAnswer{}; });
  WebhookSink hook([](const SinkRequest&) { return SinkAnswer{}; });
  Stack stack{channel_stack(smtp, provider)};
  add_worker(stack, "w-chan", hook.url("/hooks/w-chan"));
  const auto& me = stack.as_worker("w-chan");

  const std::string sms = add_verified(stack, "w-chan", "sms", kPhone, [&] {
    auto requests = sms_requests(provider);
    return requests.empty() ? std::string{} : json::parse(requests.back().body)["text"].get<std::string>();
  });
  CHECK(json::parse(sms_requests(provider).back().body)["to"] == kPhone);
  CHECK(json::parse(sms_requests(provider).back().body)["purpose"] == "code");
  const std::string mail = add_verified(stack, "w-chan", "email", kMail, [&] {
    auto messages = smtp.messages();
    return messages.empty() ? std::string{} : messages.back().substr(messages.back().find("\r\n\r\n"));
  });
  CHECK(smtp.messages().back().find("X-Envelope-To: " + kMail) != std::string::npos);

  // The worker sees both verified, with the receipt of each code.
  auto list = me.get("/api/v1/workers/w-chan/contact-methods");
  INFO(list.body);
  REQUIRE(list.status == 200);
  int verified = 0;
  const json listed = list.json();
  for (const auto& m : listed["contact_methods"]) {
    if (m["id"] == sms || m["id"] == mail) {
      CHECK(m["verified"] == true);
      CHECK(m["last_code"]["status"] == "delivered");
      ++verified;
    }
  }
  CHECK(verified == 2);

  // A test SMS right after the code is held back by the rate limit; a minute later it goes,
  // and the worker sees its receipt.
  auto early = me.post("/api/v1/workers/w-chan/contact-methods/" + sms + "/test", json::object());
  CHECK(early.status == 429);
  stack.advance(61s);
  auto test = me.post("/api/v1/workers/w-chan/contact-methods/" + sms + "/test", json::object());
  INFO(test.body);
  REQUIRE(test.status == 200);
  CHECK(eventually([&] {
    const json now = me.get("/api/v1/workers/w-chan/contact-methods").json();
    for (const auto& m : now["contact_methods"])
      if (m["id"] == sms) return m["last_test"].is_object() && m["last_test"]["status"] == "delivered";
    return false;
  }, 10s));
  CHECK(json::parse(sms_requests(provider).back().body)["purpose"] == "test");
  stack.advance(61s);  // past the SMS rate limit again

  // T1 for a crisis worker (config/demo/notification_rules.toml): webhook and SMS at once,
  // voice after 1 minute (no voice method: left out), e-mail after 2.
  const std::size_t sms_before = sms_requests(provider).size();
  const std::size_t mails_before = smtp.messages().size();
  queue_callout(stack, "a-chan-1", "w-chan");
  REQUIRE(eventually([&] { return sms_requests(provider).size() == sms_before + 1 && hook.count("/hooks/") >= 1; }, 10s));
  const std::string text = json::parse(sms_requests(provider).back().body)["text"];
  CHECK(text.find("r-chan") != std::string::npos);
  CHECK(text.find("Amersfoort") != std::string::npos);
  check_clean("sms", text);
  check_clean("webhook", hook.requests().back().body);
  CHECK(smtp.messages().size() == mails_before);  // not yet: after 2 minutes
  stack.advance(121s);
  REQUIRE(eventually([&] { return smtp.messages().size() == mails_before + 1; }, 10s));
  check_clean("e-mail", smtp.messages().back());
  CHECK(smtp.messages().back().find("r-chan") != std::string::npos);
  stack.settle();
  CHECK(status_of(stack, "a-chan-1") == "delivered");

  // The provider's receipt for the alert's SMS, through the gateway's public callback: refused
  // without the secret, recorded with it.
  const std::string nid = sms_requests(provider).at(sms_before).headers.at("x-piket-notification-id");
  const std::string receipt = json{{"reference", nid}, {"status", "delivered"}}.dump();
  const std::map<std::string, std::string> json_type{{"Content-Type", "application/json"}};
  CHECK(piket::test::Caller(&stack, {}).request("POST", "/api/v1/receipts/sms?token=guess", receipt, json_type).status == 401);
  auto taken = piket::test::Caller(&stack, {}).request("POST", "/api/v1/receipts/sms?token=receipt-secret", receipt, json_type);
  INFO(taken.body);
  CHECK(taken.status == 200);
  CHECK(stack.redis().cli("HGET piket:notification:" + nid + " receipt").rfind("delivered", 0) == 0);
  CHECK(stack.redis().cli("LRANGE piket:alert:a-chan-1:attempts 0 -1").find("\"receipt\":\"delivered\"") != std::string::npos);

  // The ladder's second channel: not the SMS and webhook of the first, but e-mail, at once.
  stack.advance(61s);
  const std::size_t sms_now = sms_requests(provider).size();
  queue_callout(stack, "a-chan-1~1.1", "w-chan", "second");
  REQUIRE(eventually([&] { return smtp.messages().size() == mails_before + 2; }, 10s));
  stack.settle();
  CHECK(sms_requests(provider).size() == sms_now);
}

TEST_CASE("bad contact data and wrong codes are refused naming the field and change nothing, and "
          "nobody else's methods can be touched", "[e2e][notifier][channels]") {
  SmtpSink smtp;
  WebhookSink provider([](const SinkRequest&) { return SinkAnswer{}; });
  Stack stack{channel_stack(smtp, provider)};
  add_worker(stack, "w-one", provider.url("/hooks/w-one"));
  add_worker(stack, "w-two", provider.url("/hooks/w-two"));
  const auto& me = stack.as_worker("w-one");
  const std::string base = "/api/v1/workers/w-one/contact-methods";
  struct Row {
    json body;
    std::string field;
  };
  const std::vector<Row> rows{
      {{{"channel", "sms"}, {"address", "0612345678"}}, "address"},
      {{{"channel", "voice"}, {"address", "+31 6 1234 5678"}}, "address"},
      {{{"channel", "email"}, {"address", "x@example.org\r\nBcc: y@example.org"}}, "address"},
      {{{"channel", "webhook"}, {"address", "http://hooks.example.org/x"}}, "address"},
      {{{"channel", "fax"}, {"address", "+31612345678"}}, "channel"},
      {{{"channel", "sms"}, {"address", "+31612345678"}, {"verified", true}}, "verified"},
  };
  for (const auto& row : rows) {
    auto reply = me.post(base, row.body);
    CAPTURE(row.body.dump(), reply.body);
    CHECK(reply.status == 400);
    CHECK(reply.json()["error"]["field"] == row.field);
  }
  CHECK(me.get(base).json()["contact_methods"].size() == 1);  // the webhook_url only

  // Another worker's methods: refused.
  CHECK(me.get("/api/v1/workers/w-two/contact-methods").status == 403);
  CHECK(me.post("/api/v1/workers/w-two/contact-methods", {{"channel", "sms"}, {"address", kPhone}}).status == 403);
  const auto& other_manager = stack.as_user("mgr-utrecht", "--role manager --region utrecht");
  CHECK(other_manager.get(base).status == 403);
  const auto& manager = stack.as_user("mgr-eemland", "--role manager --region eemland");
  CHECK(manager.get(base).status == 200);

  // Wrong codes count; after the last allowed one even the right code is refused.
  auto added = me.post(base, {{"channel", "sms"}, {"address", kPhone}});
  REQUIRE(added.status == 201);
  const std::string id = added.json()["contact_method"]["id"];
  std::string code;
  REQUIRE(eventually([&] {
    auto requests = sms_requests(provider);
    return !requests.empty() && !(code = six_digits(json::parse(requests.back().body)["text"].get<std::string>())).empty();
  }, 10s));
  const std::string wrong = code == "000000" ? "111111" : "000000";
  auto bad_form = me.post(base + "/" + id + "/verify", {{"code", "12ab"}});
  CHECK(bad_form.status == 400);
  CHECK(bad_form.json()["error"]["field"] == "code");
  for (int i = 0; i < 5; ++i) CHECK(me.post(base + "/" + id + "/verify", {{"code", wrong}}).status == 400);
  auto late = me.post(base + "/" + id + "/verify", {{"code", code}});
  CHECK(late.status == 429);
  const json after = me.get(base).json();
  for (const auto& m : after["contact_methods"])
    if (m["id"] == id) CHECK(m["verified"] == false);
  // Only a hash of the code is stored.
  CHECK(stack.redis().cli("HGET piket:notify:code:w-one:" + id + " hash").find(code) == std::string::npos);

  // A new code, then it expires.
  stack.advance(61s);
  REQUIRE(me.post(base + "/" + id + "/send-code", json::object()).status == 200);
  stack.advance(601s);
  auto expired = me.post(base + "/" + id + "/verify", {{"code", "123456"}});
  CHECK(expired.status == 400);
  CHECK(expired.json()["error"]["message"].get<std::string>().find("expired") != std::string::npos);

  // Rules: bad ones refused naming the field; good ones replace the role's defaults.
  auto rules = me.get("/api/v1/workers/w-one/notification-rules");
  REQUIRE(rules.status == 200);
  CHECK(rules.json()["source"] == "role_default");
  const std::map<std::string, std::string> json_type{{"Content-Type", "application/json"}};
  auto bad_rules = me.request("PUT", "/api/v1/workers/w-one/notification-rules",
                              R"({"rules": {"T1": [{"channel": "pager"}]}})", json_type);
  CHECK(bad_rules.status == 400);
  CHECK(bad_rules.json()["error"]["field"] == "rules.T1[0].channel");
  auto good_rules = me.request("PUT", "/api/v1/workers/w-one/notification-rules",
                               R"({"rules": {"default": [{"channel": "email", "after_s": 0}]}})", json_type);
  INFO(good_rules.body);
  CHECK(good_rules.status == 200);
  CHECK(me.get("/api/v1/workers/w-one/notification-rules").json()["source"] == "worker");
}

TEST_CASE("an SMS provider that fails fails over to e-mail at once, and once its breaker is open "
          "later alerts skip it without waiting", "[e2e][notifier][channels]") {
  SmtpSink smtp;
  bool sms_down = false;
  std::mutex mutex;
  WebhookSink provider([&](const SinkRequest& r) {
    std::lock_guard lock(mutex);
    SinkAnswer answer;
    if (r.path == "/sms" && sms_down) answer.status = 500;
    return answer;
  });
  WebhookSink hook([](const SinkRequest&) { return SinkAnswer{503}; });  // the webhook is down too
  Stack stack{channel_stack(smtp, provider, "breaker_failures = 4\nbreaker_cool_down_s = 3600")};
  add_worker(stack, "w-fo", hook.url("/hooks/w-fo"));
  add_verified(stack, "w-fo", "sms", kPhone, [&] {
    auto requests = sms_requests(provider);
    return requests.empty() ? std::string{} : json::parse(requests.back().body)["text"].get<std::string>();
  });
  add_verified(stack, "w-fo", "email", kMail, [&] {
    auto messages = smtp.messages();
    return messages.empty() ? std::string{} : messages.back().substr(messages.back().find("\r\n\r\n"));
  });
  // The worker's own rules: SMS at once, e-mail only after 10 minutes.
  auto put = stack.as_worker("w-fo").request(
      "PUT", "/api/v1/workers/w-fo/notification-rules",
      R"({"rules": {"T1": [{"channel": "sms", "after_s": 0}, {"channel": "email", "after_s": 600}]}})",
      {{"Content-Type", "application/json"}});
  REQUIRE(put.status == 200);
  {
    std::lock_guard lock(mutex);
    sms_down = true;
  }
  stack.advance(61s);
  const std::size_t mails = smtp.messages().size();
  const std::size_t sms_before = sms_requests(provider).size();
  queue_callout(stack, "a-fo-1", "w-fo");
  // Four SMS attempts fail (max_attempts 4), then the e-mail goes at once, not after 10 minutes.
  REQUIRE(eventually([&] { return smtp.messages().size() == mails + 1; }, 20s));
  CHECK(sms_requests(provider).size() == sms_before + 4);
  check_clean("fail-over e-mail", smtp.messages().back());
  // (The rate limit spaces messages the provider took, not refused attempts: the four went
  // with the retries' back-off.) The e-mail step's own time finds it sent: no second e-mail.
  stack.advance_and_settle(601s);
  CHECK(status_of(stack, "a-fo-1") == "delivered");
  CHECK(smtp.messages().size() == mails + 1);

  // The breaker is open now (4 failures in a row): the next alert does not try the SMS at all.
  queue_callout(stack, "a-fo-2", "w-fo");
  REQUIRE(eventually([&] { return smtp.messages().size() == mails + 2; }, 20s));
  CHECK(sms_requests(provider).size() == sms_before + 4);
  stack.advance_and_settle(601s);
  const std::string attempts = stack.redis().cli("LRANGE piket:alert:a-fo-2:attempts 0 -1");
  CHECK(attempts.find("breaker open") != std::string::npos);
}
