#pragma once
// CSV import of workers and roster additions, from a spreadsheet export. Strict RFC 4180
// (quoted fields, doubled quotes, CRLF or LF, a header row; a UTF-8 byte order mark is skipped)
// and all-or-nothing: every problem is listed with its line and column, and when there is any
// problem no row is returned, so a team lead fixes the file and imports it again whole.
//
// Debian's libfccp-dev (fast-cpp-csv-parser, 2016) was considered: it cannot read a line break
// inside a quoted field and stops at the first error, so this small reader is our own.
#include <date/tz.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/domain/regions.hpp"
#include "common/domain/teams.hpp"
#include "common/domain/workers.hpp"
#include "common/result.hpp"
#include "scheduler/model/roster.hpp"

namespace piket::scheduler {

struct ImportProblem {
  int line = 0;             // 1-based physical line where the record starts; header = 1
  int column = 0;           // 1-based field index; 0 = the line as a whole or a missing column
  std::string column_name;  // header name of that column, when known
  std::string reason;
  // "line 3, column 5 (start_local): 2026-03-29 02:30 does not exist in Europe/Amsterdam ..."
  std::string to_string() const;
};

// The API's answer to a refused file: invalid_field, the first problem's "line L column C" as
// the field, its text as the message, and how many more there are.
Error import_error(const std::vector<ImportProblem>& problems);

template <typename T>
struct ImportResult {
  T rows;  // empty whenever problems is not
  std::vector<ImportProblem> problems;
  bool ok() const { return problems.empty(); }
};

struct CsvRecord {
  int line = 0;  // physical line where the record starts
  std::vector<std::string> fields;
};

// The records of `text`, header included, or the syntax problems (then no records).
ImportResult<std::vector<CsvRecord>> read_csv(std::string_view text);

// Columns: id,name,region,roles,webhook_url and the optional skills, active (true|false,
// default true), base (a municipality), contract_hours_per_week (0..60, default 36),
// daily_case_limit (1..20, default 4) and team (an id of `teams`, in the worker's region), in
// any order. roles and skills are separated by semicolons; an empty optional field takes its
// default. A worker id that is already in `existing`, or twice in the file, is a problem.
ImportResult<std::vector<Worker>> import_workers_csv(std::string_view text,
                                                     const RegionDirectory& regions,
                                                     const WorkerDirectory& existing,
                                                     const TeamDirectory& teams);

// Columns: worker_id,region,role,duty,start_local,end_local (any order), local times as
// "2026-03-28 23:00" in `zone`. Each row becomes an Override{kind = add} with id
// "csv-line-<line>" (the caller gives them lasting ids when it stores them). Local times are
// resolved with resolve_local; a time in the spring gap is a problem, not moved, and so is an
// end not after its start or two rows of one worker that overlap.
ImportResult<std::vector<Override>> import_roster_csv(std::string_view text,
                                                      const RegionDirectory& regions,
                                                      const WorkerDirectory& workers,
                                                      const date::time_zone& zone);

}  // namespace piket::scheduler
