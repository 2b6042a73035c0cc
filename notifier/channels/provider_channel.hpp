#pragma once
// SMS and voice calls through a provider's HTTP API: the URL, the authentication header and a
// body template come from config ([notifier.sms], [notifier.voice]), so a common provider fits
// without code. The text is the alert's rendered text (for voice: what the call reads out).
#include <chrono>

#include "notifier/channels/channel.hpp"
#include "notifier/channels/channel_config.hpp"
#include "notifier/channels/http_client.hpp"

namespace piket::notifier {

class ProviderChannel : public Channel {
 public:
  ProviderChannel(HttpClient& http, ChannelKind kind, ProviderConfig config, std::chrono::milliseconds timeout)
      : http_(http), kind_(kind), config_(std::move(config)), timeout_(timeout) {}
  ChannelKind kind() const override { return kind_; }
  std::string provider() const override { return std::string(channel_name(kind_)) + "-provider"; }
  boost::asio::awaitable<Result<SendReceipt>> send(const std::string& address,
                                                  const OutgoingMessage& message) override;

 private:
  HttpClient& http_;
  ChannelKind kind_;
  ProviderConfig config_;
  std::chrono::milliseconds timeout_;
};

}  // namespace piket::notifier
