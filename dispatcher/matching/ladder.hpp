#pragma once
// The escalation ladder for one report: a policy's steps filled with the workers each step
// alerts, decided up front from the rankings. Pure. Nobody is alerted twice except by a repeat
// step; a step with nobody to alert keeps its place with the reason, so the executor moves on
// at once and can say why.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "dispatcher/matching/escalation.hpp"
#include "dispatcher/matching/ranking.hpp"

namespace piket::dispatcher {

struct LadderTarget {
  std::string worker_id, region, why;
};

struct LadderStep {
  int index = 0;  // the policy's step, from 0
  std::int64_t after_s = 0;
  StepTarget target = StepTarget::first;
  std::string channel;
  std::vector<LadderTarget> targets;
  std::string skipped_reason;  // set when targets is empty
};

struct LadderInput {
  std::string region;  // the report's region, for the local targets and the reasons
  MatchResult local;
  int people_needed = 1;
  std::vector<std::pair<std::string, MatchResult>> neighbours;  // region -> ranked, in order
  std::vector<std::string> team_leads;                          // on call now in the region
};

// first: the top people_needed ranked local workers; repeat: the workers of the latest earlier
// step that had any, again (on the step's channel); next: the next people_needed ranked local
// workers not alerted before; neighbour: the top people_needed of the neighbours' ranked lists,
// taken region by region in order, not alerted before; team_lead: every team lead on call not
// alerted before; all: every remaining ranked local worker.
std::vector<LadderStep> build_ladder(const EscalationPolicy& policy, const LadderInput& input);

// [{index, after_s, target, channel, targets: [{worker, region, why}], skipped_reason}], with
// skipped_reason null for a step that alerts someone.
nlohmann::json ladder_to_json(const std::vector<LadderStep>& ladder);

}  // namespace piket::dispatcher
