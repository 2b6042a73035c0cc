// First triage with the demo rules (config/demo/triage.toml): classes, conditions, requirements,
// deadlines in local time and the desk's override. The file's checks: test_triage_config.cpp.
#include <catch.hpp>

#include "tests/support/config_problems.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/domain/holidays.hpp"
#include "dispatcher/triage/triage.hpp"

namespace {

using piket::test::listed;

using piket::ConfigProblem;
using piket::TimePoint;
using piket::dispatcher::TriageFacts;
using piket::dispatcher::TriageRules;

const std::string kTriageFile = std::string(PIKET_SOURCE_DIR) + "/config/demo/triage.toml";


TriageRules demo_rules() {
  std::vector<ConfigProblem> problems;
  auto rules = piket::dispatcher::load_triage_rules(kTriageFile, problems);
  INFO(listed(problems));
  REQUIRE(problems.empty());
  return rules;
}

TimePoint utc(const std::string& text) {
  TimePoint t;
  REQUIRE(piket::parse_utc(text, t));
  return t;
}

// A Wednesday morning in March, 11:00 in Amsterdam: no night rule fires.
TriageFacts facts(std::vector<std::string> indicators,
                  const std::string& at = "2026-03-11T10:00:00Z") {
  TriageFacts f;
  f.indicators = std::move(indicators);
  f.source = "police";
  f.at = utc(at);
  return f;
}

// The demo rules with the demo holiday calendar, as the dispatcher runs them.
TriageRules demo_rules_with_holidays() {
  std::vector<ConfigProblem> problems;
  auto rules = demo_rules();
  rules.set_holidays(piket::HolidayCalendar(
      piket::load_holidays(PIKET_SOURCE_DIR "/config/demo/holidays.toml", problems)));
  REQUIRE(problems.empty());
  return rules;
}

TriageRules rules_from(const std::string& text) {
  std::vector<ConfigProblem> problems;
  auto rules = piket::dispatcher::parse_triage_rules("triage.toml", text, problems);
  INFO(listed(problems));
  REQUIRE(problems.empty());
  return rules;
}

std::vector<std::string> fired_ids(const piket::dispatcher::TriageResult& result) {
  std::vector<std::string> ids;
  for (const auto* r : result.fired) ids.push_back(r->id);
  return ids;
}

}  // namespace

TEST_CASE("a report with a weapon is T1 acute with five minutes to accept", "[unit][triage]") {
  const auto rules = demo_rules();
  const auto result = rules.triage(facts({"weapon"}));
  REQUIRE(result.triage_class != nullptr);
  CHECK(result.triage_class->id == "T1");
  CHECK(result.acute());

  const auto j = result.to_json();
  CHECK(j["class"] == "T1");
  CHECK(j["acute"] == true);
  CHECK(j["accept_within_s"] == 300);
  REQUIRE(j["rules_fired"].size() == 1);
  CHECK(j["rules_fired"][0]["rule"] == "weapon");
  CHECK(j["rules_fired"][0]["indicator"] == "weapon");
  CHECK(j["rules_fired"][0]["class"] == "T1");
  CHECK(j["rules_fired"][0]["reason"] == "a weapon is involved");
  CHECK(j["route"] == "crisis_intervention");
  CHECK(j["roles"] == nlohmann::json::array({"crisis_worker"}));
  CHECK(j["skills"].empty());
  CHECK(j["two_person"] == true);
  CHECK(j["physician"] == false);
  CHECK(j["first_contact_by"] == "2026-03-11T12:00:00.000Z");  // on scene within 2 h
  CHECK(j["warnings"].empty());
}

TEST_CASE("a report without indicators gets the default class T3, not acute, no rules",
          "[unit][triage]") {
  const auto rules = demo_rules();
  const auto result = rules.triage(facts({}));
  REQUIRE(result.triage_class != nullptr);
  CHECK(result.triage_class->id == "T3");
  CHECK_FALSE(result.acute());
  CHECK(result.fired.empty());
  const auto j = result.to_json();
  CHECK(j["acute"] == false);
  CHECK(j["rules_fired"].empty());
  CHECK(j["accept_within_s"] == 0);
}

TEST_CASE("with several indicators the most urgent class wins and every fired rule is listed",
          "[unit][triage]") {
  const auto rules = demo_rules();
  SECTION("T2, T0 and T4 give T0") {
    const auto result = rules.triage(facts({"restraining_order", "violence_now", "advice_only"}));
    REQUIRE(result.triage_class != nullptr);
    CHECK(result.triage_class->id == "T0");
    CHECK(result.acute());
    CHECK(fired_ids(result) ==
          std::vector<std::string>{"violence-now", "restraining-order", "advice"});
  }
  SECTION("T4 and T2 give T2 whatever order they come in") {
    for (const auto& indicators : {std::vector<std::string>{"advice_only", "hard_event_within_24h"},
                                   std::vector<std::string>{"hard_event_within_24h", "advice_only"}}) {
      const auto result = rules.triage(facts(indicators));
      REQUIRE(result.triage_class != nullptr);
      CHECK(result.triage_class->id == "T2");
      CHECK(result.triage_class->accept_within.count() == 900);
      CHECK(fired_ids(result).size() == 2);
    }
  }
  SECTION("two T1 indicators give T1 with both rules") {
    const auto result = rules.triage(facts({"threat_to_kill", "child_alone"}));
    REQUIRE(result.triage_class != nullptr);
    CHECK(result.triage_class->id == "T1");
    CHECK(fired_ids(result) == std::vector<std::string>{"threat-to-kill", "child-alone"});
  }
}

TEST_CASE("only a less urgent indicator than the default lowers the class below it",
          "[unit][triage]") {
  const auto rules = demo_rules();
  const auto result = rules.triage(facts({"advice_only"}));
  REQUIRE(result.triage_class != nullptr);
  CHECK(result.triage_class->id == "T4");
  CHECK_FALSE(result.acute());
}

TEST_CASE("the demo rules know their indicators and nothing else", "[unit][triage]") {
  const auto rules = demo_rules();
  CHECK(rules.knows_indicator("weapon"));
  CHECK(rules.knows_indicator("violence_now"));
  CHECK_FALSE(rules.knows_indicator("Weapon"));
  CHECK_FALSE(rules.knows_indicator("violence-now"));  // a rule id, not an indicator
  CHECK_FALSE(rules.knows_indicator(""));
  CHECK(rules.knows_indicator("injury"));            // from a when.indicators_any
  CHECK(rules.knows_indicator("known_aggression"));  // from a rule without a class
  CHECK(rules.indicators().size() == 17);
}


TEST_CASE("rules without a class add requirements and leave the class alone", "[unit][triage]") {
  const auto rules = demo_rules();
  SECTION("known aggression asks for two workers") {
    const auto result = rules.triage(facts({"threat_to_kill", "known_aggression"}));
    CHECK(result.triage_class->id == "T1");
    CHECK(result.two_person);
    CHECK(fired_ids(result) == std::vector<std::string>{"threat-to-kill", "known-aggression"});
  }
  SECTION("expertise is asked as skills, each once") {
    const auto result = rules.triage(
        facts({"human_trafficking", "elder_abuse", "intellectual_disability"}));
    CHECK(result.triage_class->id == "T3");  // the default: none of them sets a class
    CHECK(result.skills ==
          std::vector<std::string>{"human_trafficking", "elder_abuse", "intellectual_disability"});
    CHECK_FALSE(result.two_person);
    CHECK(result.roles.empty());  // T3 is not dispatched: no crisis worker asked
  }
  SECTION("sexual abuse asks for the confidential physician") {
    const auto result = rules.triage(facts({"sexual_abuse"}));
    CHECK(result.physician);
    CHECK(result.to_json()["rules_fired"][0]["class"] == "");
  }
  SECTION("without them nothing is added") {
    const auto result = rules.triage(facts({"threat_to_kill"}));
    CHECK_FALSE(result.two_person);
    CHECK_FALSE(result.physician);
    CHECK(result.skills.empty());
    CHECK(result.roles == std::vector<std::string>{"crisis_worker"});
  }
}

TEST_CASE("honour-based violence goes to the SAVE team with that skill", "[unit][triage]") {
  const auto rules = demo_rules();
  const auto result = rules.triage(facts({"honour_based_violence", "weapon"}));
  CHECK(result.triage_class->id == "T1");
  CHECK(result.route == "save_team");
  CHECK(result.skills == std::vector<std::string>{"honour_based_violence"});
  CHECK(result.two_person);  // from the weapon rule

  // A more urgent rule's route wins.
  const auto now = rules.triage(facts({"honour_based_violence", "violence_now"}));
  CHECK(now.triage_class->id == "T0");
  CHECK(now.route == "crisis_intervention");
  CHECK(now.skills == std::vector<std::string>{"honour_based_violence"});
}

TEST_CASE("classes without a routing rule take the class route", "[unit][triage]") {
  const auto rules = demo_rules();
  CHECK(rules.triage(facts({"concern"})).route == "veilig_thuis_investigation");
  CHECK(rules.triage(facts({"advice_only"})).route == "local_team");
  CHECK(rules.triage(facts({})).route == "veilig_thuis_investigation");  // the default class
  CHECK(rules.triage(facts({"weapon", "concern"})).route == "crisis_intervention");
}

TEST_CASE("a rule less urgent than the class does not steer the route", "[unit][triage]") {
  const auto rules = rules_from(R"(
default_class = "LOW"
[[classes]]
id = "HIGH"
name = "high"
dispatch = true
accept_within_s = 60
route = "crisis_intervention"
[[classes]]
id = "LOW"
name = "low"
[[rules]]
id = "high"
indicator = "h"
class = "HIGH"
reason = "h"
[[rules]]
id = "low"
indicator = "l"
class = "LOW"
route = "local_team"
reason = "l"
[[rules]]
id = "modifier"
indicator = "m"
route = "save_team"
reason = "m"
)");
  CHECK(rules.triage(facts({"l"})).route == "local_team");
  CHECK(rules.triage(facts({"h", "l"})).route == "crisis_intervention");
  CHECK(rules.triage(facts({"h", "m"})).route == "save_team");   // a rule without a class counts
  CHECK(rules.triage(facts({"h", "l", "m"})).route == "save_team");
}

TEST_CASE("an injury with a young child is T1 with a physician, with older children T2",
          "[unit][triage]") {
  const auto rules = demo_rules();
  auto f = facts({"injury"});
  SECTION("a child of 4 or younger fires the young-child rule") {
    f.people = {{"child", 12}, {"child", 4}};
    const auto result = rules.triage(f);
    CHECK(result.triage_class->id == "T1");
    CHECK(fired_ids(result) ==
          std::vector<std::string>{"injury-young-child-by-age", "injury", "injured-child"});
    CHECK(result.physician);
  }
  SECTION("children of 5 and older do not, but an injured child still asks for the physician") {
    f.people = {{"child", 5}, {"child", 12}};
    const auto result = rules.triage(f);
    CHECK(result.triage_class->id == "T2");
    CHECK(fired_ids(result) == std::vector<std::string>{"injury", "injured-child"});
    CHECK(result.physician);
  }
  SECTION("a child whose age is not known is not taken to be young") {
    f.people = {{"child", -1}};
    const auto result = rules.triage(f);
    CHECK(result.triage_class->id == "T2");
    CHECK(result.physician);
  }
  SECTION("with nobody listed, the injured one may be a child: the physician is asked") {
    const auto result = rules.triage(f);
    CHECK(result.triage_class->id == "T2");
    CHECK(result.physician);
  }
  SECTION("a young child without an injury does not") {
    auto no_injury = facts({"concern"});
    no_injury.people = {{"child", 1}};
    CHECK(rules.triage(no_injury).triage_class->id == "T3");
  }
  SECTION("the desk's own judgement still works as an indicator") {
    const auto result = rules.triage(facts({"injury_young_child"}));
    CHECK(result.triage_class->id == "T1");
    CHECK(result.physician);
  }
}

TEST_CASE("injuries belong to people: only an injured child asks for the confidential physician",
          "[unit][triage]") {
  const auto rules = demo_rules();
  struct Case {
    const char* what;
    std::vector<piket::dispatcher::TriagePerson> people;
    std::vector<std::string> indicators;
    const char* triage_class;
    bool physician;
  };
  const std::vector<Case> cases = {
      {"only the mother is hurt, a 4-year-old lives there", {{"parent", 31, true}, {"child", 4}},
       {"injury"}, "T2", false},
      {"the same, marked injured without the indicator", {{"parent", 31, true}, {"child", 4}}, {}, "T2", false},
      {"the 4-year-old is hurt", {{"parent", 31}, {"child", 4, true}}, {}, "T1", true},
      {"a 9-year-old is hurt", {{"parent", 31}, {"child", 9, true}}, {}, "T2", true},
      {"mother and the 4-year-old are hurt", {{"parent", 31, true}, {"child", 4, true}}, {"injury"}, "T1", true},
      {"the injury indicator, nobody marked, a 4-year-old there", {{"parent", 31}, {"child", 4}},
       {"injury"}, "T1", true},
      {"the injury indicator, nobody marked, only adults", {{"parent", 31}, {"partner", 35}},
       {"injury"}, "T2", false},
      {"nobody hurt", {{"parent", 31}, {"child", 4}}, {}, "T3", false},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto f = facts(c.indicators);
    f.people = c.people;
    if (c.indicators.empty()) {  // the indicator follows from a person marked injured
      const bool marked = std::any_of(c.people.begin(), c.people.end(), [](auto& p) { return p.injured; });
      if (marked) f.indicators.push_back("injury");
    }
    const auto result = rules.triage(f);
    CHECK(result.triage_class->id == c.triage_class);
    CHECK(result.physician == c.physician);
  }
}

TEST_CASE("every T0 and T1 report at night asks for two workers, whatever made it acute",
          "[unit][triage]") {
  const auto rules = demo_rules();
  // Saturday 5 December 2026, 01:40 in Amsterdam.
  const std::string night = "2026-12-05T00:40:00Z";
  auto injured_partner = facts({"threat_to_kill"}, night);
  injured_partner.people = {{"partner", 34, true}};
  const auto t1 = rules.triage(injured_partner);
  CHECK(t1.triage_class->id == "T1");
  CHECK(t1.two_person);
  CHECK(fired_ids(t1).back() == "night-visit");
  // A T2 report is visited within 24 h, not necessarily at night: one worker unless a rule asks.
  auto t2 = facts({"separation_with_threats"}, night);
  CHECK(rules.triage(t2).triage_class->id == "T2");
  CHECK_FALSE(rules.triage(t2).two_person);
  // The desk raising a T3 report to T1 at night brings the night rule with it.
  auto raised = rules.with_override(facts({"concern"}, night), "T1", "");
  REQUIRE(raised.ok());
  CHECK(raised->two_person);
  // By day the same T1 report needs one.
  CHECK_FALSE(rules.triage(facts({"threat_to_kill"}, "2026-12-05T13:40:00Z")).two_person);
}

TEST_CASE("a hard event before the deadline makes a report T2 and moves its first contact to it",
          "[unit][triage]") {
  const auto rules = demo_rules();
  auto f = facts({"concern"}, "2026-12-02T08:00:00Z");  // Wednesday 09:00
  SECTION("school ends at 15:00 today: T2, first contact before 15:00") {
    f.hard_event_at = utc("2026-12-02T14:00:00Z");
    const auto result = rules.triage(f);
    CHECK(result.triage_class->id == "T2");
    CHECK(fired_ids(result) == std::vector<std::string>{"hard-event-time", "concern"});
    REQUIRE(result.first_contact_by);
    CHECK(*result.first_contact_by == utc("2026-12-02T14:00:00Z"));
    CHECK(result.first_contact_before_event);
    CHECK(result.to_json()["first_contact_before_event"] == true);
  }
  SECTION("a flight in three days is no reason to hurry: T3, five working days") {
    f.hard_event_at = utc("2026-12-05T08:00:00Z");
    const auto result = rules.triage(f);
    CHECK(result.triage_class->id == "T3");
    // ... but the contact still comes before the flight, and so do the warnings.
    REQUIRE(result.first_contact_by);
    CHECK(*result.first_contact_by == utc("2026-12-05T08:00:00Z"));
    for (const auto& w : result.warnings) CHECK(w < *result.first_contact_by);
  }
  SECTION("an event after the class's own deadline changes nothing") {
    auto acute = facts({"threat_to_kill"}, "2026-12-02T08:00:00Z");
    acute.hard_event_at = utc("2026-12-02T12:00:00Z");  // after the 2 h of T1
    const auto result = rules.triage(acute);
    CHECK(*result.first_contact_by == utc("2026-12-02T10:00:00Z"));
    CHECK_FALSE(result.first_contact_before_event);
  }
}

TEST_CASE("a report whose source is a restraining order is T2 without any indicator",
          "[unit][triage]") {
  const auto rules = demo_rules();
  auto f = facts({});
  f.source = "restraining_order";
  const auto result = rules.triage(f);
  CHECK(result.triage_class->id == "T2");
  CHECK(fired_ids(result) == std::vector<std::string>{"restraining-order-source"});
  CHECK(result.route == "crisis_intervention");
  CHECK(result.to_json()["rules_fired"][0].contains("indicator") == false);

  f.source = "police";
  CHECK(rules.triage(f).triage_class->id == "T3");
}

TEST_CASE("all listed indicators must be present for indicators_all", "[unit][triage]") {
  const auto rules = rules_from(R"(
default_class = "LOW"
[[classes]]
id = "HIGH"
name = "high"
dispatch = true
accept_within_s = 60
[[classes]]
id = "LOW"
name = "low"
[[rules]]
id = "both"
class = "HIGH"
reason = "separation and a weapon"
[rules.when]
indicators_all = ["separation", "weapon"]
)");
  CHECK(rules.triage(facts({"separation", "weapon"})).triage_class->id == "HIGH");
  CHECK(rules.triage(facts({"weapon", "other", "separation"})).triage_class->id == "HIGH");
  CHECK(rules.triage(facts({"weapon"})).triage_class->id == "LOW");
  CHECK(rules.triage(facts({"separation"})).triage_class->id == "LOW");
  CHECK(rules.knows_indicator("separation"));
}

TEST_CASE("the old indicator form and when.indicators_any fire alike", "[unit][triage]") {
  const auto rules = rules_from(R"(
default_class = "LOW"
[[classes]]
id = "HIGH"
name = "high"
dispatch = true
accept_within_s = 60
[[classes]]
id = "LOW"
name = "low"
[[rules]]
id = "old"
indicator = "a"
class = "HIGH"
reason = "old form"
[[rules]]
id = "new"
class = "HIGH"
reason = "new form"
[rules.when]
indicators_any = ["b", "c"]
)");
  CHECK(fired_ids(rules.triage(facts({"a"}))) == std::vector<std::string>{"old"});
  CHECK(fired_ids(rules.triage(facts({"c"}))) == std::vector<std::string>{"new"});
  CHECK(rules.triage(facts({"d"})).fired.empty());
  const auto j = rules.triage(facts({"a", "b"})).to_json();
  CHECK(j["rules_fired"][0]["indicator"] == "a");
  CHECK_FALSE(j["rules_fired"][1].contains("indicator"));  // two indicators: none named
}

TEST_CASE("an acute visit at night needs two workers, by local time", "[unit][triage]") {
  const auto rules = demo_rules();
  auto two_person = [&](std::vector<std::string> indicators, const std::string& at) {
    return rules.triage(facts(std::move(indicators), at)).two_person;
  };
  SECTION("in winter time (UTC+1)") {
    CHECK_FALSE(two_person({"threat_to_kill"}, "2026-01-14T20:59:00Z"));  // 21:59
    CHECK(two_person({"threat_to_kill"}, "2026-01-14T21:00:00Z"));        // 22:00
    CHECK(two_person({"threat_to_kill"}, "2026-01-14T23:30:00Z"));        // 00:30, after midnight
    CHECK(two_person({"threat_to_kill"}, "2026-01-15T05:59:00Z"));        // 06:59
    CHECK_FALSE(two_person({"threat_to_kill"}, "2026-01-15T06:00:00Z"));  // 07:00
  }
  SECTION("in summer time (UTC+2): the same local hours, other UTC hours") {
    CHECK_FALSE(two_person({"child_alone"}, "2026-07-01T19:59:00Z"));  // 21:59
    CHECK(two_person({"child_alone"}, "2026-07-01T20:00:00Z"));        // 22:00
    CHECK(two_person({"child_alone"}, "2026-07-02T04:59:00Z"));        // 06:59
    CHECK_FALSE(two_person({"child_alone"}, "2026-07-02T05:00:00Z"));  // 07:00
  }
  SECTION("over the night of 25 October 2026, when clocks go back at 03:00") {
    CHECK_FALSE(two_person({"threat_to_kill"}, "2026-10-24T19:59:00Z"));  // 21:59 summer time
    CHECK(two_person({"threat_to_kill"}, "2026-10-24T20:00:00Z"));        // 22:00 summer time
    CHECK(two_person({"threat_to_kill"}, "2026-10-25T00:30:00Z"));        // 02:30 the first time
    CHECK(two_person({"threat_to_kill"}, "2026-10-25T01:30:00Z"));        // 02:30 the second time
    CHECK(two_person({"threat_to_kill"}, "2026-10-25T05:59:00Z"));        // 06:59 winter time
    CHECK_FALSE(two_person({"threat_to_kill"}, "2026-10-25T06:00:00Z"));  // 07:00 winter time
  }
  SECTION("not for a report without an acute indicator") {
    CHECK_FALSE(two_person({"concern"}, "2026-01-14T23:30:00Z"));
  }
  SECTION("the rule is listed among the fired ones") {
    const auto result = rules.triage(facts({"child_alone"}, "2026-01-14T23:30:00Z"));
    CHECK(fired_ids(result) == std::vector<std::string>{"child-alone", "night-visit"});
    CHECK(result.triage_class->id == "T1");
  }
}

TEST_CASE("a daytime window does not wrap and another zone has other hours", "[unit][triage]") {
  const auto rules = rules_from(R"(
default_class = "LOW"
[[classes]]
id = "LOW"
name = "low"
[[rules]]
id = "office-hours"
skills = ["office"]
reason = "office hours"
[rules.when]
local_time = "09:00-17:00"
)");
  auto office = [&](const std::string& at, const std::string& zone) {
    auto f = facts({}, at);
    f.time_zone = zone;
    return !rules.triage(f).skills.empty();
  };
  CHECK_FALSE(office("2026-03-11T07:59:00Z", "Europe/Amsterdam"));  // 08:59
  CHECK(office("2026-03-11T08:00:00Z", "Europe/Amsterdam"));        // 09:00
  CHECK(office("2026-03-11T15:59:00Z", "Europe/Amsterdam"));        // 16:59
  CHECK_FALSE(office("2026-03-11T16:00:00Z", "Europe/Amsterdam"));  // 17:00
  CHECK_FALSE(office("2026-03-11T08:59:00Z", "UTC"));  // 08:59 in UTC
  CHECK(office("2026-03-11T09:00:00Z", "UTC"));        // 09:00 in UTC
}

TEST_CASE("acute classes have an elapsed first-contact deadline, even over a DST change",
          "[unit][triage]") {
  const auto rules = demo_rules();
  const auto t1 = rules.triage(facts({"weapon"}, "2026-10-25T00:30:00Z"));
  REQUIRE(t1.first_contact_by);
  CHECK(*t1.first_contact_by == utc("2026-10-25T02:30:00Z"));  // 2 h, not 3 on the wall clock
  const auto t2 = rules.triage(facts({"separation_with_threats"}, "2026-10-24T12:00:00Z"));
  REQUIRE(t2.first_contact_by);
  CHECK(*t2.first_contact_by == utc("2026-10-25T12:00:00Z"));  // 24 h elapsed: 13:00 local
  CHECK(t2.warnings.empty());
  CHECK_FALSE(rules.triage(facts({"advice_only"})).first_contact_by);  // T4: same contact
}

TEST_CASE("a T3 report on the Thursday before King's Day 2026 is due at the end of 1 May",
          "[unit][triage]") {
  const auto rules = demo_rules_with_holidays();
  // Thu 23 April; working days: Fri 24, (Mon 27 King's Day), Tue 28, Wed 29, Thu 30, Fri 1 May.
  const auto result = rules.triage(facts({"concern"}, "2026-04-23T10:00:00Z"));
  CHECK(result.triage_class->id == "T3");
  REQUIRE(result.first_contact_by);
  CHECK(*result.first_contact_by == utc("2026-05-01T22:00:00Z"));  // midnight 2 May, CEST
  CHECK(result.warnings ==
        std::vector<TimePoint>{utc("2026-04-29T22:00:00Z"), utc("2026-04-30T22:00:00Z")});
  const auto j = result.to_json();
  CHECK(j["first_contact_by"] == "2026-05-01T22:00:00.000Z");
  CHECK(j["warnings"] ==
        nlohmann::json::array({"2026-04-29T22:00:00.000Z", "2026-04-30T22:00:00.000Z"}));

  SECTION("the report's day is the local day: 00:30 on Thursday is still Thursday") {
    const auto early = rules.triage(facts({"concern"}, "2026-04-22T22:30:00Z"));
    CHECK(*early.first_contact_by == utc("2026-05-01T22:00:00Z"));
  }
  SECTION("without a holiday calendar King's Day would count as a working day") {
    const auto plain = demo_rules().triage(facts({"concern"}, "2026-04-23T10:00:00Z"));
    CHECK(*plain.first_contact_by == utc("2026-04-30T22:00:00Z"));
  }
}

TEST_CASE("a T3 report before Christmas 2026 skips Christmas, the weekend and New Year",
          "[unit][triage]") {
  const auto rules = demo_rules_with_holidays();
  SECTION("on Wednesday 23 December: Thu 24, Mon 28, Tue 29, Wed 30, Thu 31") {
    const auto result = rules.triage(facts({}, "2026-12-23T09:00:00Z"));
    CHECK(result.triage_class->id == "T3");
    CHECK(*result.first_contact_by == utc("2026-12-31T23:00:00Z"));  // midnight 1 Jan, CET
    CHECK(result.warnings ==
          std::vector<TimePoint>{utc("2026-12-29T23:00:00Z"), utc("2026-12-30T23:00:00Z")});
  }
  SECTION("on Thursday 24 December: Mon 28 to Thu 31, then Mon 4 January") {
    const auto result = rules.triage(facts({}, "2026-12-24T09:00:00Z"));
    CHECK(*result.first_contact_by == utc("2027-01-04T23:00:00Z"));
    CHECK(result.warnings ==
          std::vector<TimePoint>{utc("2026-12-30T23:00:00Z"), utc("2026-12-31T23:00:00Z")});
  }
}

TEST_CASE("the desk's override sets another class and recomputes the deadlines",
          "[unit][triage]") {
  const auto rules = demo_rules_with_holidays();
  const auto f = facts({"concern"}, "2026-04-23T10:00:00Z");
  SECTION("T3 raised to T1: two hours, no warnings, a crisis worker, the rule kept") {
    auto result = rules.with_override(f, "T1", "");
    REQUIRE(result.ok());
    CHECK(result->triage_class->id == "T1");
    CHECK(result->acute());
    CHECK(*result->first_contact_by == utc("2026-04-23T12:00:00Z"));
    CHECK(result->warnings.empty());
    CHECK(result->roles == std::vector<std::string>{"crisis_worker"});
    CHECK(result->route == "crisis_intervention");  // the class route: no rule routes
    CHECK(fired_ids(*result) == std::vector<std::string>{"concern"});
  }
  SECTION("T1 lowered to T3 with another route: working days, requirements kept") {
    const auto weapon = facts({"weapon"}, "2026-04-23T10:00:00Z");
    auto result = rules.with_override(weapon, "T3", "local_team");
    REQUIRE(result.ok());
    CHECK(result->triage_class->id == "T3");
    CHECK_FALSE(result->acute());
    CHECK(*result->first_contact_by == utc("2026-05-01T22:00:00Z"));
    CHECK(result->warnings.size() == 2);
    CHECK(result->route == "local_team");
    CHECK(result->two_person);     // the weapon is still there
    CHECK(result->roles.empty());  // nobody is paged for T3
    CHECK(result->to_json()["class"] == "T3");
  }
  SECTION("an unknown class is refused naming class") {
    for (const char* id : {"T9", ""}) {
      auto result = rules.with_override(f, id, "");
      REQUIRE_FALSE(result.ok());
      CHECK(result.error().code == piket::ErrorCode::invalid_field);
      CHECK(result.error().field == "class");
    }
  }
  SECTION("an unknown route is refused naming route") {
    auto result = rules.with_override(f, "T2", "police_cell");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == piket::ErrorCode::invalid_field);
    CHECK(result.error().field == "route");
    CHECK(result.error().message.find("police_cell") != std::string::npos);
  }
}

TEST_CASE("the routes are the five outcomes and nothing else", "[unit][triage]") {
  const auto rules = demo_rules();
  for (const char* route : {"crisis_intervention", "save_team", "local_team",
                            "veilig_thuis_investigation", "child_protection_board_request"})
    CHECK(rules.knows_route(route));
  CHECK_FALSE(rules.knows_route("Save_team"));
  CHECK_FALSE(rules.knows_route(""));
}
