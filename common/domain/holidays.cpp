#include "common/domain/holidays.hpp"

#include <algorithm>
#include <map>
#include <sstream>

namespace piket {

HolidayCalendar::HolidayCalendar(std::vector<Holiday> holidays, bool count_by_agreement)
    : holidays_(std::move(holidays)), count_by_agreement_(count_by_agreement) {
  std::sort(holidays_.begin(), holidays_.end(),
            [](const Holiday& a, const Holiday& b) { return a.date < b.date; });
}

const Holiday* HolidayCalendar::find(date::year_month_day day) const {
  auto it =
      std::lower_bound(holidays_.begin(), holidays_.end(), day,
                       [](const Holiday& h, const date::year_month_day& d) { return h.date < d; });
  return it != holidays_.end() && it->date == day ? &*it : nullptr;
}

bool HolidayCalendar::is_holiday(date::year_month_day day) const {
  const Holiday* h = find(day);
  return h && (!h->by_agreement || count_by_agreement_);
}

bool HolidayCalendar::is_working_day(date::year_month_day day) const {
  const date::weekday wd{date::sys_days{day}};
  if (wd == date::Saturday || wd == date::Sunday) return false;
  return !is_holiday(day);
}

date::year_month_day HolidayCalendar::add_working_days(date::year_month_day start, int n) const {
  date::sys_days day{start};
  const date::days step{n >= 0 ? 1 : -1};
  for (int left = n >= 0 ? n : -n; left > 0;) {
    day += step;
    if (is_working_day(date::year_month_day{day})) --left;
  }
  return date::year_month_day{day};
}

bool HolidayCalendar::covers(date::year year) const {
  return std::any_of(holidays_.begin(), holidays_.end(),
                     [&](const Holiday& h) { return h.date.year() == year; });
}

namespace {

// "YYYY-MM-DD", digits only, a real calendar day.
std::optional<date::local_days> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  const auto number = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  const date::year_month_day ymd{date::year{number(0, 4)},
                                 date::month{static_cast<unsigned>(number(5, 2))},
                                 date::day{static_cast<unsigned>(number(8, 2))}};
  if (!ymd.ok()) return std::nullopt;  // 2026-02-30
  return date::local_days{ymd};
}

std::string iso(date::year_month_day day) {
  std::ostringstream out;
  out << day;  // YYYY-MM-DD
  return out.str();
}

std::vector<Holiday> read_holidays(ConfigReader& reader, const toml::table& root) {
  std::vector<Holiday> out;
  std::map<date::year_month_day, std::string> seen;  // date -> key of its first listing
  const auto tables = reader.tables(root, "holidays", "holidays", true);
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const toml::table& t = *tables[i];
    const std::string path = "holidays[" + std::to_string(i) + "]";
    Holiday h;
    h.name = reader.string(t, "name", path + ".name");
    if (h.name.empty() && t.get("name")) reader.problem(path + ".name", "must not be empty");
    h.by_agreement = reader.boolean(t, "by_agreement", path + ".by_agreement", false);
    const toml::node* node = t.get("date");
    std::optional<date::local_days> day;
    if (!node) {
      reader.problem(path + ".date", "is required");
      continue;
    }
    if (auto text = node->value_exact<std::string>()) {
      day = parse_date(*text);
      if (!day) {
        reader.problem(path + ".date", "must be a date YYYY-MM-DD, got \"" + *text + "\"");
        continue;
      }
    } else if (auto d = node->value_exact<toml::date>()) {
      // A bare TOML date (2026-12-25) is accepted too.
      const date::year_month_day ymd{date::year{d->year}, date::month{d->month}, date::day{d->day}};
      if (!ymd.ok()) {
        reader.problem(path + ".date", "is not a calendar date");
        continue;
      }
      day = date::local_days{ymd};
    } else {
      reader.problem(path + ".date", "must be a date YYYY-MM-DD");
      continue;
    }
    h.date = date::year_month_day{*day};
    auto [it, fresh] = seen.emplace(h.date, path + ".date");
    if (!fresh) {
      reader.problem(path + ".date",
                     "duplicate date " + iso(h.date) + ", already listed at " + it->second);
      continue;
    }
    out.push_back(std::move(h));
  }
  return out;
}

std::vector<Holiday> finish(ConfigReader& reader, const std::optional<toml::table>& root,
                            std::vector<ConfigProblem>& problems) {
  std::vector<Holiday> out;
  if (root) out = read_holidays(reader, *root);
  problems.insert(problems.end(), reader.problems().begin(), reader.problems().end());
  std::sort(out.begin(), out.end(),
            [](const Holiday& a, const Holiday& b) { return a.date < b.date; });
  return out;
}

}  // namespace

std::vector<Holiday> load_holidays(const std::string& file, std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_file();
  return finish(reader, root, problems);
}

std::vector<Holiday> parse_holidays(const std::string& file, std::string_view text,
                                    std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_text(text);
  return finish(reader, root, problems);
}

}  // namespace piket
