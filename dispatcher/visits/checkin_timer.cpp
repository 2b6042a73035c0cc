#include "dispatcher/visits/checkin_timer.hpp"

#include "dispatcher/visits/checkin_escalation.hpp"

namespace piket::dispatcher {
namespace asio = boost::asio;
using nlohmann::json;

namespace {
constexpr int kDecideAttempts = 3;

std::vector<std::string> strings_in(const json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& e : j)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}
}  // namespace

asio::awaitable<Result<int>> escalate_missed_checkin(
    DispatchStore& store, const std::string& visit_id, TimePoint now,
    const std::function<std::chrono::seconds(const std::string&)>& reminder_of_region) {
  for (int attempt = 1;; ++attempt) {
    // (a named argument: GCC 12 cannot keep brace-list temporaries across a co_await)
    json which{{"visit", visit_id}};
    auto read = co_await store.call_json("piket_checkin_snapshot", which);
    if (!read.ok()) co_return read.error();
    if (!read->value("exists", false)) co_return make_error(ErrorCode::not_found, "id", "no such visit");
    const auto state = parse_visit_state(read->value("state", ""));
    if (!state) co_return make_error(ErrorCode::internal, "state", "a visit in an unknown state");
    CheckinSnapshot snapshot;
    snapshot.state = *state;
    snapshot.workers = strings_in((*read)["workers"]);
    snapshot.team_leads = strings_in(json::parse(read->value("team_leads", "[]"), nullptr, false));
    auto decision = decide_checkin_escalation(snapshot, now, reminder_of_region(read->value("region", "")));
    if (!decision.escalate) co_return 0;
    json apply{{"visit", visit_id},
               {"now", to_unix_ms(now)},
               {"expect_state", read->value("state", "")},
               {"expect_updated", read->value("updated_at", "")},
               {"notify", decision.notify},
               {"remind_at", to_unix_ms(decision.remind_at)},
               {"note", decision.note}};
    auto applied = co_await store.call_json("piket_escalate_checkin", apply);
    if (!applied.ok() && applied.error().code == ErrorCode::conflict && attempt < kDecideAttempts) continue;
    if (!applied.ok()) co_return applied.error();
    co_return applied->value("alerted", 0);
  }
}

}  // namespace piket::dispatcher
