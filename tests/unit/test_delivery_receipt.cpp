// Delivery receipts from a provider: only with the shared secret (a token or an HMAC over a
// fresh timestamp and the body), and only naming a notification id; fields and status values
// as configured.
#include <catch.hpp>

#include "common/crypto.hpp"
#include "notifier/receipts/delivery_receipt.hpp"

namespace {
using namespace piket::notifier;
const piket::TimePoint kNow{std::chrono::milliseconds(1'800'000'000'000)};
const std::string kStamp = "1800000000";

ReceiptConfig config() {
  ReceiptConfig c;
  c.secret = "receipt-secret";
  return c;
}

ReceiptRequest signed_json(const std::string& raw, const std::string& stamp = kStamp) {
  ReceiptRequest r;
  r.raw = raw;
  r.content_type = "application/json";
  r.timestamp = stamp;
  r.signature = "v1=" + piket::hmac_sha256_hex("receipt-secret", stamp + "." + raw);
  return r;
}
}  // namespace

TEST_CASE("a provider's receipt is taken only with the shared secret", "[unit][notifier][receipts]") {
  const std::string body = R"({"reference": "n-abc123", "status": "delivered"})";
  auto good = read_receipt(config(), signed_json(body), kNow);
  REQUIRE(good.ok());
  CHECK(good->notification_id == "n-abc123");
  CHECK(good->status == "delivered");

  struct Row {
    const char* what;
    ReceiptRequest request;
  };
  ReceiptRequest tampered = signed_json(body);
  tampered.raw = R"({"reference": "n-abc123", "status": "failed"})";
  ReceiptRequest wrong_token;
  wrong_token.raw = body;
  wrong_token.content_type = "application/json";
  wrong_token.token = "guess";
  const std::vector<Row> rows{
      {"a changed body", tampered},
      {"a timestamp 10 minutes old", signed_json(body, "1799999400")},
      {"a wrong token", wrong_token},
      {"nothing at all", ReceiptRequest{body, "application/json", "", "", ""}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    auto refused = read_receipt(config(), row.request, kNow);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == piket::ErrorCode::unauthenticated);
  }
  ReceiptConfig off = config();
  off.secret.clear();
  CHECK_FALSE(read_receipt(off, signed_json(body), kNow).ok());
}

TEST_CASE("a form-encoded receipt with a token, its fields and statuses as configured", "[unit][notifier][receipts]") {
  ReceiptConfig c = config();
  c.id_field = "Ref";
  c.status_field = "MessageStatus";
  ReceiptRequest r;
  r.raw = "MessageStatus=undelivered&Ref=n-77&To=%2B31612345678";
  r.content_type = "application/x-www-form-urlencoded";
  r.token = "receipt-secret";
  auto receipt = read_receipt(c, r, kNow);
  REQUIRE(receipt.ok());
  CHECK(receipt->status == "failed");
  CHECK(receipt->provider_status == "undelivered");
  r.raw = "MessageStatus=sent&Ref=n-77";
  CHECK(read_receipt(c, r, kNow)->status == "other");
  r.raw = "MessageStatus=sent&Ref=12345";
  auto bad = read_receipt(c, r, kNow);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().field == "Ref");
  r.raw = "Ref=n-77";
  CHECK(read_receipt(c, r, kNow).error().field == "MessageStatus");
}
