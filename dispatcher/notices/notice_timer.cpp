#include "dispatcher/notices/notice_timer.hpp"

#include "dispatcher/notices/deadline_notice.hpp"

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

asio::awaitable<Result<int>> fire_deadline_notice(DispatchStore& store, const std::string& member,
                                                  TimePoint now, const TeamLeadsOnCall& team_leads) {
  // "notice:<report>:<label>" (report ids hold no ':').
  const auto first = member.find(':');
  const auto second = member.find(':', first + 1);
  if (first == std::string::npos || second == std::string::npos)
    co_return make_error(ErrorCode::invalid_field, "timer", "not a notice: " + member);
  const std::string report = member.substr(first + 1, second - first - 1);
  const std::string label = member.substr(second + 1);
  for (int attempt = 1;; ++attempt) {
    // (a named argument: GCC 12 cannot keep brace-list temporaries across a co_await)
    json which{{"report", report}};
    auto read = co_await store.call_json("piket_notice_snapshot", which);
    if (!read.ok()) co_return read.error();
    if (!read->value("exists", false)) co_return make_error(ErrorCode::not_found, "report", "no such report");
    const auto state = parse_report_state(read->value("state", ""));
    if (!state) co_return make_error(ErrorCode::internal, "state", "a report in an unknown state");
    auto leads = co_await team_leads(read->value("region", ""));
    if (!leads.ok()) co_return leads.error();
    NoticeSnapshot snapshot;
    snapshot.state = *state;
    const auto visit = parse_visit_state(read->value("visit_state", ""));
    snapshot.first_contact_made = visit && *visit != VisitState::planned;
    snapshot.owners = strings_in((*read)["owners"]);
    snapshot.team_leads = std::move(*leads);
    const NoticeDecision decision = decide_deadline_notice(label, snapshot);
    json expect{{"state", read->value("state", "")}, {"rev", read->value("rev", 0)}};
    json apply{{"report", report}, {"label", label},   {"now", to_unix_ms(now)},
               {"expect", expect}, {"page", decision.page}, {"note", decision.note}};
    auto applied = co_await store.call_json("piket_fire_notice", apply);
    if (!applied.ok() && applied.error().code == ErrorCode::conflict && attempt < kDecideAttempts) continue;
    if (!applied.ok()) co_return applied.error();
    co_return applied->value("paged", 0);
  }
}

}  // namespace piket::dispatcher
