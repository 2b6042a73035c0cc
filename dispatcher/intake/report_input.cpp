#include "dispatcher/intake/report_input.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "common/utf8.hpp"
#include "dispatcher/intake/report_sources.hpp"

namespace piket::dispatcher {
namespace {

constexpr const auto& kSources = kReportSources;
constexpr std::array kKinds = {"report", "advice"};
constexpr std::array kPersonRoles = {"child", "parent", "partner", "other"};
const std::set<std::string> kKnownFields = {
    "kind",       "source",    "municipality", "address", "family_reference",
    "indicators", "narrative", "reporter",     "people",  "restraining_order",
    "hard_event_at"};
// A hard event further ahead than this is no reason to hurry.
constexpr auto kHardEventHorizon = std::chrono::hours(24 * 28);
// An order is imposed before it is reported; a few minutes ahead is clock skew. After 28 days
// every order has ended.
constexpr auto kClockSkew = std::chrono::minutes(5);
constexpr auto kOrderMaxAge = std::chrono::hours(24 * 28);


template <std::size_t N>
bool one_of(const std::string& value, const std::array<const char*, N>& options) {
  return std::any_of(options.begin(), options.end(), [&](const char* o) { return value == o; });
}

template <std::size_t N>
std::string list(const std::array<const char*, N>& options) {
  std::string out;
  for (const char* o : options) out += (out.empty() ? "" : ", ") + std::string(o);
  return out;
}

// Characters, not bytes: Dutch names have accents. (The JSON parser already checked UTF-8.)
std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Reads an optional string of at most `max` characters into `out`.
std::optional<Error> optional_string(const nlohmann::json& j, const std::string& key,
                                     const std::string& path, std::size_t max, std::string& out) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  if (!j[key].is_string()) return invalid(path, "must be a string");
  out = j[key].get<std::string>();
  if (utf8_length(out) > max) return invalid(path, "must be at most " + std::to_string(max) + " characters");
  return std::nullopt;
}

std::optional<Error> read_restraining_order(const nlohmann::json& body, const std::string& source,
                                           TimePoint now,
                                           std::optional<RestrainingOrderInput>& out) {
  const std::string field = "restraining_order.imposed_at";
  if (!body.contains("restraining_order") || body["restraining_order"].is_null()) {
    if (source == "restraining_order")
      return invalid(field, "is required when the source is restraining_order");
    return std::nullopt;
  }
  const auto& order = body["restraining_order"];
  if (!order.is_object()) return invalid("restraining_order", "must be an object");
  for (const auto& [key, value] : order.items())
    if (key != "imposed_at") return invalid("restraining_order." + key, "unknown field");
  if (!order.contains("imposed_at") || !order["imposed_at"].is_string())
    return invalid(field, "is required: when the order was imposed (RFC 3339)");
  TimePoint imposed_at;
  if (!parse_utc(order["imposed_at"].get<std::string>(), imposed_at))
    return invalid(field, "must be an RFC 3339 time such as 2026-10-20T10:00:00+02:00");
  if (imposed_at > now + kClockSkew) return invalid(field, "must not be in the future");
  if (imposed_at < now - kOrderMaxAge)
    return invalid(field, "is more than 28 days ago: the order has ended");
  out = RestrainingOrderInput{imposed_at};
  return std::nullopt;
}

std::optional<Error> read_hard_event(const nlohmann::json& body, TimePoint now,
                                    std::optional<TimePoint>& out) {
  if (!body.contains("hard_event_at") || body["hard_event_at"].is_null()) return std::nullopt;
  TimePoint at;
  if (!body["hard_event_at"].is_string() || !parse_utc(body["hard_event_at"].get<std::string>(), at))
    return invalid("hard_event_at", "must be an RFC 3339 time such as 2026-12-02T15:00:00+01:00");
  if (at < now - kClockSkew) return invalid("hard_event_at", "must not be in the past");
  if (at > now + kHardEventHorizon) return invalid("hard_event_at", "must be within 28 days");
  out = at;
  return std::nullopt;
}

void add_implied_injury(TriageFacts& facts) {
  const bool someone = std::any_of(facts.people.begin(), facts.people.end(),
                                   [](const TriagePerson& p) { return p.injured; });
  if (someone && std::find(facts.indicators.begin(), facts.indicators.end(), "injury") == facts.indicators.end())
    facts.indicators.push_back("injury");
}

}  // namespace

TriageFacts ReportInput::triage_facts(TimePoint at, std::string time_zone) const {
  TriageFacts facts;
  facts.indicators = indicators;
  facts.source = source;
  for (const auto& p : people) facts.people.push_back({p.role, p.age, p.injured});
  facts.at = at;
  facts.time_zone = std::move(time_zone);
  facts.hard_event_at = hard_event_at;
  add_implied_injury(facts);
  return facts;
}

TriageFacts stored_triage_facts(const nlohmann::json& stored, TimePoint at, std::string time_zone) {
  TriageFacts facts;
  for (const auto& i : stored.value("indicators", nlohmann::json::array()))
    if (i.is_string()) facts.indicators.push_back(i.get<std::string>());
  facts.source = stored.value("source", "");
  for (const auto& p : stored.value("people", nlohmann::json::array())) {
    if (!p.is_object()) continue;
    TriagePerson person;
    person.role = p.value("role", "");
    if (p.contains("age") && p["age"].is_number_integer()) person.age = p["age"].get<int>();
    person.injured = p.value("injured", false);
    facts.people.push_back(person);
  }
  TimePoint event;
  if (parse_utc(stored.value("hard_event_at", ""), event)) facts.hard_event_at = event;
  facts.at = at;
  facts.time_zone = std::move(time_zone);
  add_implied_injury(facts);
  return facts;
}

nlohmann::json ReportInput::to_json() const {
  nlohmann::json people_json = nlohmann::json::array();
  for (const auto& p : people) {
    nlohmann::json person{{"role", p.role}};
    if (p.age >= 0) person["age"] = p.age;
    if (p.injured) person["injured"] = true;
    people_json.push_back(person);
  }
  nlohmann::json j{{"kind", kind},
                   {"source", source},         {"municipality", municipality},
                   {"region", region},         {"address", address},
                   {"family_reference", family_reference},
                   {"indicators", indicators}, {"narrative", narrative},
                   {"people", people_json}};
  if (reporter)
    j["reporter"] = {{"name", reporter->name},
                     {"phone", reporter->phone},
                     {"organisation", reporter->organisation}};
  if (restraining_order)
    j["restraining_order"] = {{"imposed_at", format_utc(restraining_order->imposed_at)}};
  if (hard_event_at) j["hard_event_at"] = format_utc(*hard_event_at);
  return j;
}

Result<ReportInput> parse_report_input(const nlohmann::json& body, const RegionDirectory& regions,
                                       const TriageRules& triage, TimePoint now) {
  if (!body.is_object()) return invalid("", "the report must be a JSON object");
  for (const auto& [key, value] : body.items())
    if (!kKnownFields.count(key))
      return invalid(key, key == "bsn" || key == "national_id"
                              ? "national ID numbers are not stored; link by family_reference"
                              : "unknown field");
  ReportInput r;

  if (!body.contains("source") || !body["source"].is_string())
    return invalid("source", "is required: one of " + list(kSources));
  r.source = body["source"].get<std::string>();
  if (!one_of(r.source, kSources)) return invalid("source", "must be one of " + list(kSources));

  if (body.contains("kind") && !body["kind"].is_null()) {
    if (!body["kind"].is_string() || !one_of(body["kind"].get<std::string>(), kKinds))
      return invalid("kind", "must be one of " + list(kKinds));
    r.kind = body["kind"].get<std::string>();
  }
  if (r.advice() && r.source == "restraining_order")
    return invalid("kind", "a restraining order is a report, not advice");

  // Advice may come without a municipality (left out, null or blank); one that is given must be
  // served.
  const bool has_municipality = body.contains("municipality") && !body["municipality"].is_null() &&
                                body["municipality"] != "";
  if (!r.advice() || has_municipality) {
    if (!has_municipality || !body["municipality"].is_string() ||
        body["municipality"].get<std::string>().empty())
      return invalid("municipality", "is required: the municipality where the family lives");
    const std::string municipality = body["municipality"].get<std::string>();
    const Region* region = regions.region_for_municipality(municipality);
    if (!region)
      return make_error(ErrorCode::unknown_region, "municipality",
                        "no configured region serves " + utf8_prefix(municipality, 100) +
                            "; refer the caller to that region's service");
    r.municipality = regions.canonical_municipality(municipality).value_or(municipality);
    r.region = region->id;
  }

  if (auto e = optional_string(body, "address", "address", 200, r.address)) return *e;
  if (auto e = optional_string(body, "family_reference", "family_reference", 64, r.family_reference))
    return *e;
  if (auto e = optional_string(body, "narrative", "narrative", 20000, r.narrative)) return *e;

  // Advice may leave the indicators out.
  const bool has_indicators = body.contains("indicators") && !body["indicators"].is_null();
  if (!has_indicators && !r.advice())
    return invalid("indicators", "is required: an array of indicator names (may be empty)");
  if (has_indicators && !body["indicators"].is_array())
    return invalid("indicators", "is required: an array of indicator names (may be empty)");
  const nlohmann::json indicators = has_indicators ? body["indicators"] : nlohmann::json::array();
  if (indicators.size() > 50) return invalid("indicators", "must have at most 50 entries");
  for (std::size_t i = 0; i < indicators.size(); ++i) {
    const std::string path = "indicators[" + std::to_string(i) + "]";
    if (!indicators[i].is_string()) return invalid(path, "must be a string");
    std::string name = indicators[i].get<std::string>();
    if (!triage.knows_indicator(name))
      return invalid(path, "unknown indicator " + utf8_prefix(name, 64));
    if (std::find(r.indicators.begin(), r.indicators.end(), name) == r.indicators.end())
      r.indicators.push_back(std::move(name));
  }

  if (body.contains("reporter") && !body["reporter"].is_null()) {
    const auto& rep = body["reporter"];
    if (!rep.is_object()) return invalid("reporter", "must be an object");
    for (const auto& [key, value] : rep.items())
      if (key != "name" && key != "phone" && key != "organisation")
        return invalid("reporter." + key, "unknown field");
    Reporter reporter;
    if (auto e = optional_string(rep, "name", "reporter.name", 200, reporter.name)) return *e;
    if (auto e = optional_string(rep, "phone", "reporter.phone", 40, reporter.phone)) return *e;
    if (auto e = optional_string(rep, "organisation", "reporter.organisation", 200, reporter.organisation))
      return *e;
    r.reporter = reporter;
  }

  if (body.contains("people") && !body["people"].is_null()) {
    const auto& people = body["people"];
    if (!people.is_array()) return invalid("people", "must be an array");
    if (people.size() > 50) return invalid("people", "must have at most 50 entries");
    for (std::size_t i = 0; i < people.size(); ++i) {
      const std::string path = "people[" + std::to_string(i) + "]";
      const auto& p = people[i];
      if (!p.is_object()) return invalid(path, "must be an object");
      for (const auto& [key, value] : p.items())
        if (key != "role" && key != "age" && key != "injured")
          return invalid(path + "." + key, "unknown field");
      Person person;
      if (!p.contains("role") || !p["role"].is_string())
        return invalid(path + ".role", "is required: one of " + list(kPersonRoles));
      person.role = p["role"].get<std::string>();
      if (!one_of(person.role, kPersonRoles))
        return invalid(path + ".role", "must be one of " + list(kPersonRoles));
      if (p.contains("age")) {
        if (!p["age"].is_number_integer()) return invalid(path + ".age", "must be an integer");
        const auto age = p["age"].get<long long>();  // wide first: no wrap-around into range
        if (age < 0 || age > 120) return invalid(path + ".age", "must be 0 to 120");
        person.age = static_cast<int>(age);
      }
      if (p.contains("injured")) {
        if (!p["injured"].is_boolean()) return invalid(path + ".injured", "must be true or false");
        person.injured = p["injured"].get<bool>();
      }
      r.people.push_back(person);
    }
  }
  if (auto e = read_restraining_order(body, r.source, now, r.restraining_order)) return *e;
  if (auto e = read_hard_event(body, now, r.hard_event_at)) return *e;
  return r;
}

}  // namespace piket::dispatcher
