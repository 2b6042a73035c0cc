// Contact methods: addresses checked per channel, errors naming the field, old workers' webhook
// URL still a method.
#include <catch.hpp>

#include "notifier/contacts/contact_method.hpp"

namespace {
using namespace piket::notifier;
using nlohmann::json;
}  // namespace

TEST_CASE("contact method addresses are checked per channel, naming the field", "[unit][notifier][contacts]") {
  struct Row {
    const char* body;
    const char* field;  // "" = accepted
  };
  const std::vector<Row> rows{
      {R"({"channel": "sms", "address": "+31612345678"})", ""},
      {R"({"channel": "voice", "address": "+3212345678"})", ""},
      {R"({"channel": "email", "address": "w.de.vries@example.org"})", ""},
      {R"({"channel": "webhook", "address": "https://hooks.example.org/piket?t=1"})", ""},
      {R"({"channel": "webhook", "address": "http://127.0.0.1:8080/hook"})", ""},
      {R"({"channel": "webhook", "address": "http://hooks.example.org/"})", "address"},
      {R"({"channel": "webhook", "address": "ftp://x"})", "address"},
      {R"({"channel": "sms", "address": "0612345678"})", "address"},
      {R"({"channel": "sms", "address": "+0612345678"})", "address"},
      {R"({"channel": "sms", "address": "+31 6 1234 5678"})", "address"},
      {R"({"channel": "voice", "address": "+3161234567890123"})", "address"},
      {R"({"channel": "email", "address": "no-at.example.org"})", "address"},
      {R"({"channel": "email", "address": "a@b@example.org"})", "address"},
      {R"({"channel": "email", "address": "x@example.org\r\nBcc: y@example.org"})", "address"},
      {R"({"channel": "email", "address": "<x@example.org>"})", "address"},
      {R"({"channel": "email", "address": "x@localhost"})", "address"},
      {R"({"channel": "pager", "address": "+31612345678"})", "channel"},
      {R"({"address": "+31612345678"})", "channel"},
      {R"({"channel": "sms"})", "address"},
      {R"({"channel": "sms", "address": 31612345678})", "address"},
      {R"({"channel": "sms", "address": "+31612345678", "verified": true})", "verified"},
      {R"([])", "body"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.body);
    auto parsed = new_contact_method_from_json(json::parse(row.body), false);
    if (std::string(row.field).empty()) {
      CHECK(parsed.ok());
    } else {
      REQUIRE_FALSE(parsed.ok());
      CHECK(parsed.error().field == row.field);
    }
  }
}

TEST_CASE("a method's id is stable per channel and address, and a stored method reads back",
          "[unit][notifier][contacts]") {
  CHECK(contact_method_id(ChannelKind::sms, "+31612345678") == contact_method_id(ChannelKind::sms, "+31612345678"));
  CHECK(contact_method_id(ChannelKind::sms, "+31612345678") != contact_method_id(ChannelKind::voice, "+31612345678"));
  ContactMethod m;
  m.id = contact_method_id(ChannelKind::email, "a@example.org");
  m.channel = ChannelKind::email;
  m.address = "a@example.org";
  m.created_at = "2026-12-02T10:00:00Z";
  m.last_test = json{{"status", "delivered"}, {"at", "2026-12-02T10:01:00Z"}};
  auto back = contact_method_from_json(to_json(m));
  REQUIRE(back.ok());
  CHECK(back->address == m.address);
  CHECK(back->last_test == m.last_test);
  CHECK_FALSE(back->verified);
  CHECK_FALSE(contact_method_from_json(json::parse(R"({"id": "x"})")).ok());
}

TEST_CASE("an old worker's webhook_url is a verified webhook method", "[unit][notifier][contacts]") {
  piket::Worker w;
  w.id = "w-1";
  CHECK_FALSE(legacy_webhook(w).has_value());
  w.webhook_url = "http://127.0.0.1:9/hook";
  auto m = legacy_webhook(w);
  REQUIRE(m.has_value());
  CHECK(m->verified);
  CHECK(m->channel == ChannelKind::webhook);
}
