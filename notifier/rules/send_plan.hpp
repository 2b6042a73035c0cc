#pragma once
// Rules -> a plan of sends for one alert, and the method to fail over to. Pure, so the mapping
// from a worker's rules, their verified methods and the ladder's channel step is table-tested.
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "notifier/contacts/contact_method.hpp"
#include "notifier/rules/notification_rules.hpp"

namespace piket::notifier {

struct PlannedSend {
  ContactMethod method;
  int after_s = 0;  // after the alert was taken
  int series = 1;   // the n-th send of this alert to this method (rules may repeat a channel)
};

// The sends of one alert. Each step rings every verified method of its channel (unverified ones
// never ring); a step whose channel the worker has no verified method for is left out.
// `ladder_channel` "second" (the ladder's re-page) keeps only the steps on channels the
// at-once steps did not use, moved forward so the first of them goes now; with none of those
// it takes the worker's verified methods on other channels, and only when there are none at all
// the primary plan again. A worker with verified methods but no step that fits still gets the
// first of them at once: rules never make an alert silent.
std::vector<PlannedSend> plan_sends(const UrgencySteps* steps,
                                    const std::vector<ContactMethod>& methods,
                                    std::string_view ladder_channel);

// After a send to a method failed for good (or its channel is shut by the breaker): the method
// to send to now, on a channel not yet tried and not shut, whose send has not started. First
// the plan's later steps in order (moved forward: the rule's wait is not kept when a channel is
// known to fail), then the worker's other verified methods. None when every channel is used.
std::optional<ContactMethod> fail_over_method(const std::vector<PlannedSend>& plan,
                                              const std::vector<ContactMethod>& methods,
                                              const std::set<std::string>& started_ids,
                                              const std::set<ChannelKind>& tried_or_shut);

}  // namespace piket::notifier
