#include "scheduler/import/csv_import.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>

#include "common/utf8.hpp"

namespace piket::scheduler {

std::string ImportProblem::to_string() const {
  std::string out = "line " + std::to_string(line);
  if (column > 0) out += ", column " + std::to_string(column);
  if (!column_name.empty()) out += " (" + column_name + ")";
  return out + ": " + reason;
}

Error import_error(const std::vector<ImportProblem>& problems) {
  if (problems.empty()) return make_error(ErrorCode::invalid_field, "body", "the file was refused");
  const ImportProblem& first = problems.front();
  const std::size_t more = problems.size() - 1;
  return make_error(
      ErrorCode::invalid_field,
      "line " + std::to_string(first.line) + " column " + std::to_string(first.column),
      first.to_string() + (more > 0 ? " (and " + std::to_string(more) + " more)" : ""));
}

namespace {

// Syntax problems name the field index only: the header may not have been read yet.
void syntax_problem(std::vector<ImportProblem>& problems, int line, int column,
                    std::string reason) {
  problems.push_back({line, column, "", std::move(reason)});
}

}  // namespace

ImportResult<std::vector<CsvRecord>> read_csv(std::string_view text) {
  ImportResult<std::vector<CsvRecord>> out;
  auto& problems = out.problems;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // Excel's byte order mark
  // Every text we store or answer with is UTF-8: a file in another encoding (Excel's
  // Windows-1252, say) is refused at the first line that shows it.
  if (!valid_utf8(text)) {
    const std::string good = utf8_prefix(text, text.size());
    const int bad_line = 1 + static_cast<int>(std::count(good.begin(), good.end(), '\n'));
    problems.push_back({bad_line, 0, "", "is not valid UTF-8 (save the file as UTF-8)"});
    return out;
  }

  std::size_t i = 0;
  int line = 1;
  const std::size_t n = text.size();
  // Skips the rest of a broken record, so the next line is read on its own.
  const auto skip_line = [&] {
    while (i < n && text[i] != '\n') ++i;
    if (i < n) {
      ++i;
      ++line;
    }
  };

  while (i < n) {
    CsvRecord record;
    record.line = line;
    if (text[i] == '\n' || (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n')) {
      syntax_problem(problems, line, 0, "empty line");
      skip_line();
      continue;
    }
    bool broken = false;
    bool record_done = false;
    while (!record_done && !broken) {
      const int column = static_cast<int>(record.fields.size()) + 1;
      std::string field;
      if (i < n && text[i] == '"') {
        ++i;
        bool closed = false;
        while (i < n) {
          if (text[i] == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
        if (!closed) {
          syntax_problem(problems, record.line, column, "quoted field is never closed");
          broken = true;
          break;
        }
        if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          syntax_problem(problems, line, column, "text after the closing quote of a field");
          broken = true;
          break;
        }
      } else {
        while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') {
            syntax_problem(problems, line, column,
                           "quote inside an unquoted field (quote the whole field and double "
                           "the quote)");
            broken = true;
            break;
          }
          field += text[i++];
        }
        if (broken) break;
      }
      record.fields.push_back(std::move(field));
      if (i >= n) {
        record_done = true;
      } else if (text[i] == ',') {
        ++i;
      } else if (text[i] == '\n') {
        ++i;
        ++line;
        record_done = true;
      } else {  // '\r'
        if (i + 1 < n && text[i + 1] == '\n') {
          i += 2;
          ++line;
          record_done = true;
        } else {
          syntax_problem(problems, line, column, "carriage return without a line feed");
          broken = true;
        }
      }
    }
    if (broken) {
      skip_line();
      continue;
    }
    out.rows.push_back(std::move(record));
  }
  if (!problems.empty()) out.rows.clear();
  return out;
}

namespace {

struct ColumnSpec {
  const char* name;
  bool required;
};

// Header name -> 0-based index; records unknown, duplicate and missing columns.
std::map<std::string, std::size_t> read_header(const CsvRecord& header,
                                               const std::vector<ColumnSpec>& specs,
                                               std::vector<ImportProblem>& problems) {
  std::map<std::string, std::size_t> at;
  std::string known;
  for (const auto& s : specs) known += (known.empty() ? "" : ",") + std::string(s.name);
  for (std::size_t c = 0; c < header.fields.size(); ++c) {
    const std::string& name = header.fields[c];
    const int column = static_cast<int>(c) + 1;
    const bool is_known = std::any_of(specs.begin(), specs.end(),
                                      [&](const ColumnSpec& s) { return name == s.name; });
    if (!is_known)
      problems.push_back({header.line, column, name, "unknown column (expected " + known + ")"});
    else if (!at.emplace(name, c).second)
      problems.push_back({header.line, column, name,
                          "duplicate column (also column " + std::to_string(at[name] + 1) + ")"});
  }
  for (const auto& s : specs)
    if (s.required && !at.count(s.name))
      problems.push_back({header.line, 0, s.name, "missing column"});
  return at;
}

// One data record with its columns looked up by name.
class Row {
 public:
  Row(const CsvRecord& record, const std::map<std::string, std::size_t>& at,
      std::vector<ImportProblem>& problems)
      : record_(record), at_(at), problems_(problems) {}

  bool has(const std::string& name) const { return at_.count(name) > 0; }
  const std::string& operator[](const std::string& name) const {
    static const std::string empty;
    const auto it = at_.find(name);
    return it == at_.end() ? empty : record_.fields[it->second];
  }
  void problem(const std::string& name, std::string reason) const {
    const auto it = at_.find(name);
    const int column = it == at_.end() ? 0 : static_cast<int>(it->second) + 1;
    problems_.push_back({record_.line, column, name, std::move(reason)});
  }
  // A required value: a problem when empty.
  bool require(const std::string& name) const {
    if (!(*this)[name].empty()) return true;
    problem(name, "must not be empty");
    return false;
  }
  int line() const { return record_.line; }

 private:
  const CsvRecord& record_;
  const std::map<std::string, std::size_t>& at_;
  std::vector<ImportProblem>& problems_;
};

// Reads the text and the header; calls `each` for every data row whose field count is right.
template <typename Each>
void for_each_row(std::string_view text, const std::vector<ColumnSpec>& specs,
                  std::vector<ImportProblem>& problems, Each each) {
  auto csv = read_csv(text);
  if (!csv.ok()) {
    problems = std::move(csv.problems);
    return;
  }
  if (csv.rows.empty()) {
    problems.push_back({1, 0, "", "empty file: expected a header row"});
    return;
  }
  const auto at = read_header(csv.rows.front(), specs, problems);
  if (!problems.empty()) return;  // column lookups would mislead
  const std::size_t width = csv.rows.front().fields.size();
  for (std::size_t r = 1; r < csv.rows.size(); ++r) {
    const CsvRecord& record = csv.rows[r];
    if (record.fields.size() != width) {
      problems.push_back({record.line, static_cast<int>(std::min(record.fields.size(), width)) + 1,
                          "",
                          "expected " + std::to_string(width) + " fields, found " +
                              std::to_string(record.fields.size())});
      continue;
    }
    each(Row(record, at, problems));
  }
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    const auto first = item.find_first_not_of(' ');
    const auto last = item.find_last_not_of(' ');
    item = first == std::string::npos ? "" : item.substr(first, last - first + 1);
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

// "36" or "28.5" (a dot, never a comma), or nullopt.
std::optional<double> parse_number(const std::string& text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int> parse_whole(const std::string& text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

const char* kKnownRoles = "crisis_worker, behavioural_scientist, confidential_physician, team_lead";

// "2026-03-28 23:00" -> local time, or nullopt.
std::optional<date::local_time<std::chrono::minutes>> parse_local_date_time(
    const std::string& text) {
  if (text.size() != 16 || text[10] != ' ') return std::nullopt;
  const auto day = parse_local_date(std::string_view(text).substr(0, 10));
  const auto time = parse_local_time(std::string_view(text).substr(11));
  if (!day || !time) return std::nullopt;
  return date::local_time<std::chrono::minutes>{*day + *time};
}

}  // namespace

ImportResult<std::vector<Worker>> import_workers_csv(std::string_view text,
                                                     const RegionDirectory& regions,
                                                     const WorkerDirectory& existing,
                                                     const TeamDirectory& teams) {
  ImportResult<std::vector<Worker>> out;
  const std::vector<ColumnSpec> specs = {{"id", true},
                                         {"name", true},
                                         {"region", true},
                                         {"roles", true},
                                         {"skills", false},
                                         {"webhook_url", true},
                                         {"active", false},
                                         {"base", false},
                                         {"contract_hours_per_week", false},
                                         {"daily_case_limit", false},
                                         {"team", false}};
  std::map<std::string, int> line_of_id;
  for_each_row(text, specs, out.problems, [&](const Row& row) {
    Worker w;
    w.id = row["id"];
    w.name = row["name"];
    w.region = row["region"];
    w.roles = split_list(row["roles"]);
    w.skills = split_list(row["skills"]);
    w.webhook_url = row["webhook_url"];
    w.team = row["team"];
    if (row.require("id")) {
      if (const auto why = id_problem(w.id); !why.empty())
        row.problem("id", why);
      else if (existing.find(w.id))
        row.problem("id", "worker \"" + w.id + "\" already exists");
      else if (const auto [it, fresh] = line_of_id.emplace(w.id, row.line()); !fresh)
        row.problem("id", "duplicate worker id \"" + w.id + "\" (also on line " +
                              std::to_string(it->second) + ")");
    }
    row.require("name");
    const bool region_known = row.require("region") && regions.find(w.region);
    if (!w.region.empty() && !region_known)
      row.problem("region", "unknown region \"" + w.region + "\"");
    if (w.roles.empty()) row.problem("roles", "must name at least one role");
    for (const auto& role : w.roles)
      if (!is_known_role(role))
        row.problem("roles", "unknown role \"" + role + "\" (known: " + kKnownRoles + ")");
    if (!is_webhook_url(w.webhook_url))
      row.problem("webhook_url", "must start with http:// or https://, without spaces");
    if (!row["active"].empty()) {
      if (row["active"] == "true")
        w.active = true;
      else if (row["active"] == "false")
        w.active = false;
      else
        row.problem("active", "must be true or false, not \"" + row["active"] + "\"");
    }
    if (!row["base"].empty()) {
      if (const auto canonical = regions.canonical_municipality(row["base"]))
        w.base = *canonical;
      else
        row.problem("base",
                    "unknown municipality \"" + row["base"] + "\" (not in any configured region)");
    }
    if (!row["contract_hours_per_week"].empty()) {
      const auto hours = parse_number(row["contract_hours_per_week"]);
      if (!hours || *hours < 0 || *hours > kMaxContractHours)
        row.problem("contract_hours_per_week", "must be a number from 0 to 60, not \"" +
                                                   row["contract_hours_per_week"] + "\"");
      else
        w.contract_hours_per_week = *hours;
    }
    if (!row["daily_case_limit"].empty()) {
      const auto limit = parse_whole(row["daily_case_limit"]);
      if (!limit || *limit < kMinDailyCaseLimit || *limit > kMaxDailyCaseLimit)
        row.problem("daily_case_limit",
                    "must be a whole number from 1 to 20, not \"" + row["daily_case_limit"] + "\"");
      else
        w.daily_case_limit = *limit;
    }
    if (region_known)
      if (const auto why = team_membership_problem(w, teams); !why.empty())
        row.problem("team", why);
    out.rows.push_back(std::move(w));
  });
  if (!out.ok()) out.rows.clear();
  return out;
}

ImportResult<std::vector<Override>> import_roster_csv(std::string_view text,
                                                      const RegionDirectory& regions,
                                                      const WorkerDirectory& workers,
                                                      const date::time_zone& zone) {
  ImportResult<std::vector<Override>> out;
  const std::vector<ColumnSpec> specs = {{"worker_id", true},   {"region", true},
                                         {"role", true},        {"duty", true},
                                         {"start_local", true}, {"end_local", true}};
  std::vector<int> lines;  // line of each override, for the overlap check
  for_each_row(text, specs, out.problems, [&](const Row& row) {
    Override o;
    o.id = "csv-line-" + std::to_string(row.line());
    o.kind = Override::Kind::add;
    o.worker_id = row["worker_id"];
    o.region = row["region"];
    o.role = row["role"];
    o.reason = "imported from CSV line " + std::to_string(row.line());
    const Worker* worker = nullptr;
    if (row.require("worker_id")) {
      worker = workers.find(o.worker_id);
      if (!worker)
        row.problem("worker_id", "unknown worker \"" + o.worker_id + "\"");
      else if (!worker->active)
        row.problem("worker_id", "worker \"" + o.worker_id + "\" is not active");
    }
    if (row.require("region") && !regions.find(o.region))
      row.problem("region", "unknown region \"" + o.region + "\"");
    if (row.require("role")) {
      if (!is_known_role(o.role))
        row.problem("role", "unknown role \"" + o.role + "\" (known: " + kKnownRoles + ")");
      else if (worker && !worker->has_role(o.role))
        row.problem("role", "worker \"" + o.worker_id + "\" does not have role \"" + o.role + "\"");
    }
    if (const auto duty = duty_from_name(row["duty"]))
      o.duty = *duty;
    else
      row.problem("duty", "must be shift or on_call, not \"" + row["duty"] + "\"");

    bool times_ok = true;
    for (const char* name : {"start_local", "end_local"}) {
      const auto local = parse_local_date_time(row[name]);
      if (!local) {
        row.problem(name, "\"" + row[name] + "\" is not a local time like 2026-03-28 23:00");
        times_ok = false;
        continue;
      }
      if (zone.get_info(*local).result == date::local_info::nonexistent) {
        row.problem(name, row[name] + " does not exist in " + std::string(zone.name()) +
                              " (the clocks skip that hour in spring); choose a time outside "
                              "the gap");
        times_ok = false;
        continue;
      }
      (std::string_view(name) == "start_local" ? o.interval.start : o.interval.end) =
          resolve_local(zone, *local);
    }
    if (times_ok && o.interval.end <= o.interval.start) {
      row.problem("end_local", "must be after start_local");
      times_ok = false;
    }
    if (times_ok && worker) {
      for (std::size_t k = 0; k < out.rows.size(); ++k) {
        const Override& other = out.rows[k];
        if (other.worker_id == o.worker_id && other.interval.start < o.interval.end &&
            o.interval.start < other.interval.end)
          row.problem("start_local", "overlaps the duty of \"" + o.worker_id + "\" on line " +
                                         std::to_string(lines[k]));
      }
    }
    out.rows.push_back(std::move(o));
    lines.push_back(row.line());
  });
  if (!out.ok()) out.rows.clear();
  return out;
}

}  // namespace piket::scheduler
