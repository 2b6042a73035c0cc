// GET /api/v1/events: the console's live feed as server-sent events. The dispatcher decides
// what the caller may see (events.read with the principal: a desk its regions, a worker the
// reports they are assigned to) and keeps names and narrative out; the gateway only carries it.
// Each event's id is its audit stream id, so a reconnecting browser (Last-Event-ID) gets what
// it missed. The gateway reads again when the dispatcher publishes an event, and every
// kPollEvery in case PUB/SUB dropped one.
#include <memory>

#include "common/log.hpp"
#include "common/message_types.hpp"
#include "gateway/api/request_input.hpp"
#include "gateway/live/sse.hpp"
#include "gateway/service.hpp"

namespace piket::gateway {
namespace asio = boost::asio;
using nlohmann::json;

namespace {
constexpr std::chrono::milliseconds kPollEvery{2000};
constexpr int kQuietPolls = 10;  // then a comment, so proxies and the browser see it is alive
}  // namespace

struct GatewayService::FeedState {
  HttpRequest request;  // to verify the session again before each read: it may end meanwhile
  std::string last_id;
  std::string first_piece;
  bool started = false;
  bool ended = false;
  int quiet = 0;
};

namespace {
std::string render(const json& events) {
  std::string out;
  for (const auto& e : events) out += sse_event(e.value("id", std::string{}), e.dump());
  return out;
}
}  // namespace

asio::awaitable<HttpResponse> GatewayService::events(const HttpRequest& request, const Who& who) {
  // Where to start: a reconnecting browser's Last-Event-ID, else ?after= (a page that reloads
  // passes the last id it saw), else from now on. The dispatcher checks it.
  std::string after = header(request, "last-event-id");
  if (after.empty()) {
    const auto query = read_query(request.target);
    if (!query.ok()) co_return error_response(query.error());
    if (auto it = query->find("after"); it != query->end()) after = it->second;
  }
  // The first read answers errors (a role without a feed: 403) before the stream starts.
  // Named first: GCC 12 cannot keep a brace-list temporary across co_await.
  json ask = json::object();
  if (!after.empty()) ask["after"] = after;
  auto first = co_await dispatcher_.call(msg::kEventsRead, std::move(ask), who.principal);
  if (!first.ok()) co_return error_response(first.error());
  auto feed = std::make_shared<FeedState>();
  feed->request = request;
  feed->request.body.clear();
  feed->last_id = first->value("last_id", after);
  // The browser waits this long before it reconnects after a drop.
  feed->first_piece = "retry: 2000\n" + sse_comment("piket live feed") + render((*first)["events"]);
  HttpResponse r;
  r.content_type = "text/event-stream; charset=utf-8";
  r.headers["Cache-Control"] = "no-store";
  r.headers["X-Accel-Buffering"] = "no";
  r.stream = std::make_shared<HttpStream>();
  r.stream->next = [this, feed]() { return next_events(feed); };
  logger("gateway")->debug("event=feed_opened user={}", who.principal.id);
  co_return r;
}

asio::awaitable<std::optional<std::string>> GatewayService::next_events(std::shared_ptr<FeedState> feed) {
  if (!feed->started) {
    feed->started = true;
    co_return feed->first_piece;
  }
  while (!feed->ended) {
    if (!co_await wakeups_.wait(kPollEvery)) co_return std::nullopt;
    // Signed out or expired since: the feed says so once and ends.
    auto who = co_await authenticate(feed->request);
    if (!who.ok()) {
      feed->ended = true;
      co_return std::string("event: signed_out\ndata: {}\n\n");
    }
    json ask{{"after", feed->last_id}};
    auto page = co_await dispatcher_.call(msg::kEventsRead, std::move(ask), who->principal);
    if (!page.ok()) continue;  // unavailable for now: read again at the next wake
    feed->last_id = page->value("last_id", feed->last_id);
    const json& events = (*page)["events"];
    if (!events.empty()) {
      feed->quiet = 0;
      co_return render(events);
    }
    if (++feed->quiet >= kQuietPolls) {
      feed->quiet = 0;
      co_return sse_comment("still here");
    }
  }
  co_return std::nullopt;
}

}  // namespace piket::gateway
