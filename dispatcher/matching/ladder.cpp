#include "dispatcher/matching/ladder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace piket::dispatcher {

namespace {

std::string rank_why(std::size_t index, const RankedCandidate& r) {
  const std::string rank = "rank " + std::to_string(index + 1);
  if (r.continuity && !r.reasons.empty()) return rank + ": " + r.reasons.front();
  char score[32];
  std::snprintf(score, sizeof score, "%.1f", std::round(r.score * 10) / 10);
  return rank + " (score " + score + ")";
}

std::string listed(const std::vector<std::pair<std::string, MatchResult>>& neighbours) {
  std::string out;
  for (const auto& [region, result] : neighbours) out += (out.empty() ? "" : ", ") + region;
  return out;
}

class Builder {
 public:
  explicit Builder(const LadderInput& input)
      : input_(input), needed_(static_cast<std::size_t>(std::max(1, input.people_needed))) {}

  LadderStep build(const EscalationStep& step, int index) {
    LadderStep out{index, step.after.count(), step.target, step.channel, {}, {}};
    switch (step.target) {
      case StepTarget::first:
        first(out);
        break;
      case StepTarget::repeat:
        repeat(out);
        break;
      case StepTarget::next:
        next(out);
        break;
      case StepTarget::neighbour:
        neighbour(out);
        break;
      case StepTarget::team_lead:
        team_lead(out);
        break;
      case StepTarget::all:
        all(out);
        break;
    }
    for (const auto& t : out.targets) targeted_.insert(t.worker_id);
    if (!out.targets.empty() && step.target != StepTarget::repeat) last_alerted_ = out.targets;
    return out;
  }

 private:
  const std::string& region() const { return input_.region; }

  std::string nobody_local() const {
    std::string reason = "nobody eligible on call in " + region();
    const std::size_t excluded = input_.local.excluded.size();
    if (excluded > 0) reason += " (" + std::to_string(excluded) + " on call but excluded)";
    return reason;
  }

  // Up to `limit` ranked local workers not alerted before, with their rank.
  void take_local(LadderStep& out, std::size_t limit, const std::string& prefix) {
    const auto& ranked = input_.local.ranked;
    for (std::size_t i = 0; i < ranked.size() && out.targets.size() < limit; ++i)
      if (!targeted_.count(ranked[i].worker_id))
        out.targets.push_back({ranked[i].worker_id, region(), prefix + rank_why(i, ranked[i])});
  }

  void first(LadderStep& out) {
    take_local(out, needed_, "");
    if (out.targets.empty()) out.skipped_reason = nobody_local();
    // Nobody here can be on scene in time: a neighbour who can is alerted at once as well,
    // instead of after the neighbour step's wait.
    const auto& ranked = input_.local.ranked;
    const bool all_late = std::all_of(out.targets.begin(), out.targets.end(), [&](const LadderTarget& t) {
      return std::any_of(ranked.begin(), ranked.end(),
                         [&](const RankedCandidate& r) { return r.worker_id == t.worker_id && r.late; });
    });
    if (out.targets.empty() || !all_late) return;
    std::size_t added = 0;
    for (const auto& [other, result] : input_.neighbours)
      for (std::size_t i = 0; i < result.ranked.size() && added < needed_; ++i) {
        const auto& c = result.ranked[i];
        if (c.late || c.on_scene == TimePoint{} || targeted_.count(c.worker_id)) continue;
        out.targets.push_back({c.worker_id, other,
                               "neighbouring region " + other + ", on scene in time where " + region() +
                                   " cannot, " + rank_why(i, c)});
        ++added;
      }
  }

  void repeat(LadderStep& out) {
    for (const auto& t : last_alerted_)
      out.targets.push_back({t.worker_id, t.region, "again: " + t.why});
    if (out.targets.empty())
      out.skipped_reason = "nobody was alerted before, so there is nobody to repeat";
  }

  void next(LadderStep& out) {
    take_local(out, needed_, "backup, ");
    if (!out.targets.empty()) return;
    out.skipped_reason =
        input_.local.ranked.empty()
            ? nobody_local()
            : "no backup: every eligible worker on call in " + region() + " was alerted before";
  }

  void neighbour(LadderStep& out) {
    for (const auto& [other, result] : input_.neighbours)
      for (std::size_t i = 0; i < result.ranked.size() && out.targets.size() < needed_; ++i)
        if (!targeted_.count(result.ranked[i].worker_id))
          out.targets.push_back(
              {result.ranked[i].worker_id, other,
               "neighbouring region " + other + ", " + rank_why(i, result.ranked[i])});
    if (!out.targets.empty()) return;
    out.skipped_reason = input_.neighbours.empty()
                             ? "no neighbouring region to ask"
                             : "nobody eligible on call in the neighbouring regions (" +
                                   listed(input_.neighbours) + ") who was not alerted before";
  }

  void team_lead(LadderStep& out) {
    for (const auto& id : input_.team_leads)
      if (!targeted_.count(id) &&
          std::none_of(out.targets.begin(), out.targets.end(),
                       [&](const LadderTarget& t) { return t.worker_id == id; }))
        out.targets.push_back({id, region(), "team lead on call"});
    if (!out.targets.empty()) return;
    out.skipped_reason = input_.team_leads.empty()
                             ? "nobody on call as team lead in " + region()
                             : "every team lead on call in " + region() + " was alerted before";
  }

  void all(LadderStep& out) {
    take_local(out, input_.local.ranked.size(), "everyone left, ");
    if (!out.targets.empty()) return;
    out.skipped_reason = input_.local.ranked.empty() ? nobody_local()
                                                     : "every eligible worker on call in " +
                                                           region() + " was alerted before";
  }

  const LadderInput& input_;
  std::size_t needed_;
  std::set<std::string> targeted_;
  std::vector<LadderTarget> last_alerted_;
};

}  // namespace

std::vector<LadderStep> build_ladder(const EscalationPolicy& policy, const LadderInput& input) {
  Builder builder(input);
  std::vector<LadderStep> out;
  for (std::size_t i = 0; i < policy.steps.size(); ++i)
    out.push_back(builder.build(policy.steps[i], static_cast<int>(i)));
  return out;
}

nlohmann::json ladder_to_json(const std::vector<LadderStep>& ladder) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& step : ladder) {
    nlohmann::json targets = nlohmann::json::array();
    for (const auto& t : step.targets)
      targets.push_back({{"worker", t.worker_id}, {"region", t.region}, {"why", t.why}});
    out.push_back(
        {{"index", step.index},
         {"after_s", step.after_s},
         {"target", to_string(step.target)},
         {"channel", step.channel},
         {"targets", std::move(targets)},
         {"skipped_reason", step.skipped_reason.empty() ? nlohmann::json(nullptr)
                                                        : nlohmann::json(step.skipped_reason)}});
  }
  return out;
}

}  // namespace piket::dispatcher
