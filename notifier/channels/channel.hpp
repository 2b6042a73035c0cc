#pragma once
// One interface for every channel: send one message to one address, answer how it went. The
// adapters (webhook, SMTP e-mail, SMS and voice through an HTTP provider) know their wire
// format; retries, rate limits, the breaker and fail-over are the caller's (NotifierService).
#include <string>

#include <boost/asio/awaitable.hpp>

#include "common/result.hpp"
#include "notifier/channels/alert_text.hpp"
#include "notifier/contacts/contact_method.hpp"

namespace piket::notifier {

struct OutgoingMessage {
  std::string notification_id;  // the same for every attempt: receivers drop repeats by it
  std::string alert_id;         // "" for codes and tests
  std::string purpose = "alert";  // alert, code, test
  int attempt = 1;
  AlertText text;          // for e-mail, SMS and voice
  std::string json_body;   // for webhooks: the alert's public fields as JSON
};

struct SendReceipt {
  int status = 0;  // HTTP status or SMTP reply code
};

class Channel {
 public:
  virtual ~Channel() = default;
  virtual ChannelKind kind() const = 0;
  // The provider's name for metrics and the breaker ("webhook", "smtp", "sms-provider").
  virtual std::string provider() const = 0;
  // unavailable: worth another attempt (refused, timed out, 5xx, 429); invalid_field: this
  // address or message will never go (4xx): fail over at once. Never throws.
  virtual boost::asio::awaitable<Result<SendReceipt>> send(const std::string& address,
                                                          const OutgoingMessage& message) = 0;
};

// A status from an HTTP API as a send result: 2xx sent, 429 and 5xx worth retrying, other 4xx
// never going to work.
Result<SendReceipt> http_status_outcome(int status, const std::string& who);

}  // namespace piket::notifier
