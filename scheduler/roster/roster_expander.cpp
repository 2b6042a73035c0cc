#include "scheduler/roster/roster_expander.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace piket::scheduler {

namespace {

enum class OriginKind { rotation, swap, override_ };

// Why an entry is on the list. Equal origins (and an equal position) continue one shift.
struct Origin {
  OriginKind kind = OriginKind::rotation;
  int index = 0;           // rotation (in the sweep), swap or override (in the roster)
  int sub = 0;             // rotation: the rotation's own position, 0 = its primary
  std::int64_t piece = -1;  // the rotation piece stood on; -1 for an added worker
  bool operator==(const Origin&) const = default;
};

struct Slot {
  int worker = 0;
  Origin origin;
};

struct RawShift {
  int worker = 0;
  Origin origin;
  int position = 0;
  Interval interval;
};

struct SweepRotation {
  const Rotation* rotation = nullptr;
  std::vector<DutyPiece> pieces;
  std::vector<int> participants;
  std::int64_t first_piece = 0;  // sweep-wide id of pieces[0]
  std::size_t cursor = 0;
};

// An interval becoming active (+1) or inactive (-1) at `at`.
struct Edge {
  TimePoint at;
  int delta = 0;
  int index = 0;
  bool operator<(const Edge& o) const { return std::tie(at, delta) < std::tie(o.at, o.delta); }
};

bool intersects(const Interval& a, const Interval& b) {
  return a.start < b.end && b.start < a.end && a.start < a.end;
}

Interval clip(const Interval& a, const Interval& to) {
  return {std::max(a.start, to.start), std::min(a.end, to.end)};
}

// One group (region, role, duty) over one window.
class GroupSweep {
 public:
  GroupSweep(const Roster& roster, const std::string& region, const std::string& role,
             DutyType duty, Interval window)
      : roster_(roster), region_(region), role_(role), duty_(duty), window_(window) {
    if (window.start >= window.end) return;
    collect_rotations();
    collect_changes();
  }

  // visit(Interval step, const std::vector<Slot>& on_duty) for consecutive steps that
  // partition the window.
  template <typename Visit>
  void run(Visit&& visit);

  std::vector<RawShift> shifts();

  const std::string& name(int worker) const { return names_[static_cast<std::size_t>(worker)]; }
  Shift to_shift(const RawShift& raw) const;
  const Rotation* rotation_of(const Origin& origin) const {
    if (origin.piece < 0) return nullptr;
    return rotations_[static_cast<std::size_t>(piece_rotation_[static_cast<std::size_t>(
                                                   origin.piece)])]
        .rotation;
  }

 private:
  int intern(const std::string& id) {
    auto [it, fresh] = ids_.try_emplace(id, static_cast<int>(names_.size()));
    if (fresh) names_.push_back(id);
    return it->second;
  }
  int known(const std::string& id) const {
    auto it = ids_.find(id);
    return it == ids_.end() ? -1 : it->second;
  }

  void collect_rotations();
  void collect_changes();
  void build(TimePoint t, std::vector<Slot>& list);
  void replace(std::vector<Slot>& list, int from, int to, OriginKind kind, int index);

  const Roster& roster_;
  const std::string& region_;
  const std::string& role_;
  DutyType duty_;
  Interval window_;

  std::unordered_map<std::string, int> ids_;
  std::vector<std::string> names_;
  std::vector<SweepRotation> rotations_;  // highest layer first, then by id
  std::vector<int> piece_rotation_;       // piece id -> index in rotations_
  std::vector<std::int64_t> piece_turn_;  // piece id -> turn
  std::vector<TimePoint> boundaries_;

  // Overrides and approved swaps of this group, as edges; leave as edges per worker.
  std::vector<Edge> override_edges_, swap_edges_, leave_edges_;
  std::vector<int> override_worker_, override_replaced_;  // by override index, -1 none
  std::vector<int> swap_requester_, swap_peer_;
  std::vector<int> leave_worker_;  // by leave index

  // Sweep state.
  std::set<int> active_overrides_, active_swaps_;
  std::vector<int> on_leave_;  // per worker: leave intervals in force
  std::vector<char> inactive_;  // per worker: off every duty
  std::vector<std::uint64_t> seen_;
  std::uint64_t stamp_ = 0;
  std::vector<std::size_t> active_;
};

void GroupSweep::collect_rotations() {
  for (const Rotation& r : roster_.rotations)
    if (r.region == region_ && r.role == role_ && r.duty == duty_) {
      SweepRotation s;
      s.rotation = &r;
      s.pieces = duty_pieces(r, window_);
      if (s.pieces.empty()) continue;
      rotations_.push_back(std::move(s));
    }
  std::stable_sort(rotations_.begin(), rotations_.end(),
                   [](const SweepRotation& a, const SweepRotation& b) {
                     if (a.rotation->layer != b.rotation->layer)
                       return a.rotation->layer > b.rotation->layer;
                     return a.rotation->id < b.rotation->id;
                   });
  for (std::size_t i = 0; i < rotations_.size(); ++i) {
    SweepRotation& s = rotations_[i];
    for (const std::string& p : s.rotation->participants) s.participants.push_back(intern(p));
    s.first_piece = static_cast<std::int64_t>(piece_rotation_.size());
    for (const DutyPiece& piece : s.pieces) {
      piece_rotation_.push_back(static_cast<int>(i));
      piece_turn_.push_back(piece.turn);
      boundaries_.push_back(piece.interval.start);
      boundaries_.push_back(piece.interval.end);
    }
  }
}

void GroupSweep::collect_changes() {
  auto edges = [&](std::vector<Edge>& out, const Interval& interval, int index) {
    const Interval c = clip(interval, window_);
    out.push_back({c.start, +1, index});
    out.push_back({c.end, -1, index});
    boundaries_.push_back(c.start);
    boundaries_.push_back(c.end);
  };
  const std::size_t n_overrides = roster_.overrides.size();
  override_worker_.assign(n_overrides, -1);
  override_replaced_.assign(n_overrides, -1);
  for (std::size_t i = 0; i < n_overrides; ++i) {
    const Override& o = roster_.overrides[i];
    if (o.region != region_ || o.role != role_ || o.duty != duty_) continue;
    if (!intersects(o.interval, window_)) continue;
    const std::string& off = (o.kind == Override::Kind::remove && o.replaced_worker_id.empty())
                                 ? o.worker_id
                                 : o.replaced_worker_id;
    const bool usable = o.kind == Override::Kind::add      ? !o.worker_id.empty()
                        : o.kind == Override::Kind::remove ? !off.empty()
                                                           : !o.worker_id.empty() && !off.empty();
    if (!usable) continue;  // validated where overrides are created; ignored here
    if (o.kind != Override::Kind::remove) override_worker_[i] = intern(o.worker_id);
    if (o.kind != Override::Kind::add) override_replaced_[i] = intern(off);
    edges(override_edges_, o.interval, static_cast<int>(i));
  }
  const std::size_t n_swaps = roster_.swaps.size();
  swap_requester_.assign(n_swaps, -1);
  swap_peer_.assign(n_swaps, -1);
  for (std::size_t i = 0; i < n_swaps; ++i) {
    const SwapRequest& s = roster_.swaps[i];
    if (s.state != "approved" || s.region != region_ || s.role != role_) continue;
    if (s.requester_id.empty() || s.peer_id.empty() || !intersects(s.interval, window_)) continue;
    swap_requester_[i] = intern(s.requester_id);
    swap_peer_[i] = intern(s.peer_id);
    edges(swap_edges_, s.interval, static_cast<int>(i));
  }
  // Only the leave of someone who can appear in this group matters.
  leave_worker_.assign(roster_.leave.size(), -1);
  for (std::size_t i = 0; i < roster_.leave.size(); ++i) {
    const Leave& l = roster_.leave[i];
    const int w = known(l.worker_id);
    if (w < 0 || !intersects(l.interval, window_)) continue;
    leave_worker_[i] = w;
    edges(leave_edges_, l.interval, static_cast<int>(i));
  }
  for (auto* e : {&override_edges_, &swap_edges_, &leave_edges_}) std::sort(e->begin(), e->end());

  boundaries_.push_back(window_.start);
  boundaries_.push_back(window_.end);
  std::sort(boundaries_.begin(), boundaries_.end());
  boundaries_.erase(std::unique(boundaries_.begin(), boundaries_.end()), boundaries_.end());
  on_leave_.assign(names_.size(), 0);
  seen_.assign(names_.size(), 0);
  inactive_.assign(names_.size(), 0);
  for (std::size_t w = 0; w < names_.size(); ++w) inactive_[w] = roster_.inactive.count(names_[w]) > 0;
}

void GroupSweep::replace(std::vector<Slot>& list, int from, int to, OriginKind kind, int index) {
  auto by = [](int w) { return [w](const Slot& s) { return s.worker == w; }; };
  auto it_from = std::find_if(list.begin(), list.end(), by(from));
  if (it_from == list.end() || from == to) return;
  auto it_to = std::find_if(list.begin(), list.end(), by(to));
  if (it_to < it_from) {  // already on duty ahead of the one replaced
    list.erase(it_from);
    return;
  }
  *it_from = {to, {kind, index, 0, it_from->origin.piece}};
  if (it_to != list.end()) list.erase(it_to);
}

void GroupSweep::build(TimePoint t, std::vector<Slot>& list) {
  list.clear();
  ++stamp_;
  // Rotations, layer by layer, highest first; within a layer primaries first.
  for (std::size_t i = 0; i < rotations_.size();) {
    std::size_t j = i;
    const int layer = rotations_[i].rotation->layer;
    active_.clear();
    std::size_t longest = 0;
    for (; j < rotations_.size() && rotations_[j].rotation->layer == layer; ++j) {
      SweepRotation& s = rotations_[j];
      while (s.cursor < s.pieces.size() && s.pieces[s.cursor].interval.end <= t) ++s.cursor;
      if (s.cursor < s.pieces.size() && s.pieces[s.cursor].interval.start <= t) {
        active_.push_back(j);
        longest = std::max(longest, on_duty_count(*s.rotation));
      }
    }
    for (std::size_t pos = 0; pos < longest; ++pos)
      for (std::size_t a : active_) {
        const SweepRotation& s = rotations_[a];
        const std::size_t n = s.participants.size();
        if (pos >= on_duty_count(*s.rotation)) continue;
        const DutyPiece& piece = s.pieces[s.cursor];
        const int w = s.participants[(static_cast<std::size_t>(piece.turn) + pos) % n];
        if (seen_[static_cast<std::size_t>(w)] == stamp_) continue;  // already placed above
        seen_[static_cast<std::size_t>(w)] = stamp_;
        list.push_back({w,
                        {OriginKind::rotation, static_cast<int>(a), static_cast<int>(pos),
                         s.first_piece + static_cast<std::int64_t>(s.cursor)}});
      }
    i = j;
  }
  for (int s : active_swaps_) {
    const auto i = static_cast<std::size_t>(s);
    replace(list, swap_requester_[i], swap_peer_[i], OriginKind::swap, s);
  }
  for (int o : active_overrides_) {
    const auto i = static_cast<std::size_t>(o);
    switch (roster_.overrides[i].kind) {
      case Override::Kind::replace:
        replace(list, override_replaced_[i], override_worker_[i], OriginKind::override_, o);
        break;
      case Override::Kind::add: {
        const int w = override_worker_[i];
        if (std::none_of(list.begin(), list.end(), [w](const Slot& s) { return s.worker == w; }))
          list.push_back({w, {OriginKind::override_, o, 0, -1}});
        break;
      }
      case Override::Kind::remove: {
        const int w = override_replaced_[i];
        std::erase_if(list, [w](const Slot& s) { return s.worker == w; });
        break;
      }
    }
  }
  std::erase_if(list, [&](const Slot& s) {
    const auto w = static_cast<std::size_t>(s.worker);
    return on_leave_[w] > 0 || inactive_[w];
  });
}

template <typename Visit>
void GroupSweep::run(Visit&& visit) {
  if (boundaries_.size() < 2) return;
  for (SweepRotation& s : rotations_) s.cursor = 0;
  active_overrides_.clear();
  active_swaps_.clear();
  std::fill(on_leave_.begin(), on_leave_.end(), 0);
  std::size_t oe = 0, se = 0, le = 0;
  std::vector<Slot> list;
  for (std::size_t b = 0; b + 1 < boundaries_.size(); ++b) {
    const TimePoint t = boundaries_[b];
    for (; oe < override_edges_.size() && override_edges_[oe].at <= t; ++oe) {
      const Edge& e = override_edges_[oe];
      if (e.delta > 0) active_overrides_.insert(e.index); else active_overrides_.erase(e.index);
    }
    for (; se < swap_edges_.size() && swap_edges_[se].at <= t; ++se) {
      const Edge& e = swap_edges_[se];
      if (e.delta > 0) active_swaps_.insert(e.index); else active_swaps_.erase(e.index);
    }
    for (; le < leave_edges_.size() && leave_edges_[le].at <= t; ++le) {
      const Edge& e = leave_edges_[le];
      on_leave_[static_cast<std::size_t>(leave_worker_[static_cast<std::size_t>(e.index)])] +=
          e.delta;
    }
    build(t, list);
    visit(Interval{t, boundaries_[b + 1]}, list);
  }
}

std::vector<RawShift> GroupSweep::shifts() {
  std::vector<RawShift> out;
  std::vector<RawShift> open(names_.size());
  std::vector<char> is_open(names_.size(), 0);
  run([&](const Interval& step, const std::vector<Slot>& list) {
    for (std::size_t p = 0; p < list.size(); ++p) {
      const auto w = static_cast<std::size_t>(list[p].worker);
      RawShift& o = open[w];
      const int position = static_cast<int>(p);
      if (is_open[w] && o.interval.end == step.start && o.position == position &&
          o.origin == list[p].origin) {
        o.interval.end = step.end;
        continue;
      }
      if (is_open[w]) out.push_back(o);
      o = {list[p].worker, list[p].origin, position, step};
      is_open[w] = 1;
    }
  });
  for (std::size_t w = 0; w < open.size(); ++w)
    if (is_open[w]) out.push_back(open[w]);
  return out;
}

Shift GroupSweep::to_shift(const RawShift& raw) const {
  Shift s;
  s.worker_id = name(raw.worker);
  s.region = region_;
  s.role = role_;
  s.duty = duty_;
  s.start = raw.interval.start;
  s.end = raw.interval.end;
  s.position = raw.position;
  const auto index = static_cast<std::size_t>(raw.origin.index);
  switch (raw.origin.kind) {
    case OriginKind::rotation: {
      const Rotation& r = *rotations_[index].rotation;
      s.source = "rotation:" + r.id;
      s.why = "rotation " + r.id + " turn " +
              std::to_string(piece_turn_[static_cast<std::size_t>(raw.origin.piece)]);
      if (raw.origin.sub > 0) s.why += " backup " + std::to_string(raw.origin.sub);
      break;
    }
    case OriginKind::swap: {
      const SwapRequest& sw = roster_.swaps[index];
      s.source = "swap:" + sw.id;
      s.why = "swap " + sw.id + " (from " + sw.requester_id + ")";
      break;
    }
    case OriginKind::override_: {
      const Override& o = roster_.overrides[index];
      s.source = "override:" + o.id;
      s.why = "override " + o.id +
              (o.kind == Override::Kind::add ? " (add)" : " (replace)");
      break;
    }
  }
  return s;
}

bool shift_order(const Shift& a, const Shift& b) {
  return std::tie(a.start, a.region, a.role, a.duty, a.position, a.worker_id) <
         std::tie(b.start, b.region, b.role, b.duty, b.position, b.worker_id);
}

}  // namespace

std::vector<Shift> expand(const Roster& roster, const std::string& region, Interval window) {
  std::set<std::tuple<std::string, std::string, DutyType>> groups;
  for (const Rotation& r : roster.rotations)
    if (region.empty() || r.region == region) groups.insert({r.region, r.role, r.duty});
  for (const Override& o : roster.overrides)
    if (region.empty() || o.region == region) groups.insert({o.region, o.role, o.duty});
  std::vector<Shift> out;
  for (const auto& [g_region, g_role, g_duty] : groups) {
    GroupSweep sweep(roster, g_region, g_role, g_duty, window);
    for (const RawShift& raw : sweep.shifts()) out.push_back(sweep.to_shift(raw));
  }
  std::sort(out.begin(), out.end(), shift_order);
  return out;
}

Roster slice(const Roster& roster, const std::string& region) {
  Roster part;
  std::set<std::string> workers;
  for (const Rotation& r : roster.rotations)
    if (r.region == region) {
      part.rotations.push_back(r);
      workers.insert(r.participants.begin(), r.participants.end());
    }
  for (const Override& o : roster.overrides)
    if (o.region == region) {
      part.overrides.push_back(o);
      workers.insert(o.worker_id);
      workers.insert(o.replaced_worker_id);
    }
  for (const SwapRequest& s : roster.swaps)
    if (s.region == region) {
      part.swaps.push_back(s);
      workers.insert(s.requester_id);
      workers.insert(s.peer_id);
    }
  for (const Leave& l : roster.leave)
    if (workers.count(l.worker_id)) part.leave.push_back(l);
  for (const std::string& id : roster.inactive)
    if (workers.count(id)) part.inactive.insert(id);
  for (const StaffingMinimum& m : roster.minimums)
    if (m.region == region) part.minimums.push_back(m);
  return part;
}

std::vector<OnCallEntry> on_call_at(const Roster& roster, const std::string& region,
                                    const std::string& role, TimePoint at,
                                    std::optional<DutyType> duty) {
  // A shift containing `at` is at most one rotation piece long: a daily window (under 25 h,
  // a DST day included) or, without one, a turn. Only an override or a swap can make it
  // longer, so the window grows to hold those in force. A small window keeps the query cheap.
  std::chrono::hours reach{1};
  for (const Rotation& r : roster.rotations) {
    if (r.region != region || r.role != role) continue;
    const bool daily = r.shift_start && r.shift_end;
    reach = std::max(reach, daily ? std::chrono::hours(26) : std::chrono::hours(24 * r.turn_days + 2));
  }
  Interval window{at - reach, at + reach};
  auto widen = [&](const Interval& i) {
    if (!i.contains(at)) return;
    window.start = std::min(window.start, i.start);
    window.end = std::max(window.end, i.end);
  };
  for (const Override& o : roster.overrides)
    if (o.region == region && o.role == role) widen(o.interval);
  for (const SwapRequest& s : roster.swaps)
    if (s.region == region && s.role == role && s.state == "approved") widen(s.interval);

  std::vector<OnCallEntry> out;
  for (DutyType d : {DutyType::shift, DutyType::on_call}) {
    if (duty && *duty != d) continue;
    GroupSweep sweep(roster, region, role, d, window);
    for (const RawShift& raw : sweep.shifts()) {
      if (!raw.interval.contains(at)) continue;
      const Shift s = sweep.to_shift(raw);
      const Rotation* r = sweep.rotation_of(raw.origin);
      out.push_back({s.worker_id, r ? r->id : std::string{}, s.position, s.start, s.end, s.why,
                     d, s.source});
    }
  }
  std::sort(out.begin(), out.end(), [](const OnCallEntry& a, const OnCallEntry& b) {
    return std::tie(a.position, a.duty, a.source, a.worker_id) <
           std::tie(b.position, b.duty, b.source, b.worker_id);
  });
  return out;
}

std::vector<StaffedStretch> staffing(const Roster& roster, const std::string& region,
                                     const std::string& role, DutyType duty, Interval window) {
  std::vector<StaffedStretch> out;
  GroupSweep sweep(roster, region, role, duty, window);
  sweep.run([&](const Interval& step, const std::vector<Slot>& list) {
    const int staffed = static_cast<int>(list.size());  // distinct: a worker is placed once
    if (!out.empty() && out.back().staffed == staffed && out.back().interval.end == step.start)
      out.back().interval.end = step.end;
    else
      out.push_back({step, staffed});
  });
  return out;
}

}  // namespace piket::scheduler
