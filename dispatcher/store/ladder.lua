-- Matching and the escalation ladder: the ranked plan, its steps, and the answers to alerts.

-- ARGV: report_id. Returns JSON: {exists, state, region, municipality, triage, needed,
-- family_workers, declined:[worker], round, assignments: [{id, worker, state, round}]}
local function match_context(keys, args)
  local f = redis.call('HMGET', report_key(args[1]), 'state', 'region', 'triage', 'municipality',
                       'needed', 'family_key', 'round')
  if not f[1] then return cjson.encode({exists = false}) end
  local out = {exists = true, state = f[1], region = f[2], triage = f[3], municipality = f[4],
               needed = tonumber(f[5]) or 1, round = tonumber(f[7]) or 0,
               family_workers = {}, declined = {}, assignments = {}}
  if f[6] and f[6] ~= '' then out.family_workers = redis.call('SMEMBERS', FAMILY .. f[6]) end
  for _, aid in ipairs(assignments_of(args[1])) do
    local a = redis.call('HMGET', ASSIGNMENT .. aid, 'worker', 'state', 'round')
    if a[2] == AS.declined then out.declined[#out.declined + 1] = a[1] end
    if a[1] then
      out.assignments[#out.assignments + 1] = {id = aid, worker = a[1], state = a[2], round = tonumber(a[3]) or 0}
    end
  end
  return cjson.encode(out)
end

-- ARGV: day_start_ms, since_ms (24 h ago), call_outs_from_ms, now_ms, worker...
-- Returns {cases_today, jobs_24h, last_ms, open call-outs, {call-out member, start ...},
-- busy_until_ms} per worker: the call-outs that start from call_outs_from_ms, and the end of
-- the latest visit they are on or have planned (0 when none ends after now).
local function worker_loads(keys, args)
  local wanted = {}
  for i = 5, #args do wanted[args[i]] = {} end
  local recent = redis.call('ZRANGEBYSCORE', CALLOUTS, args[3], '+inf', 'WITHSCORES')
  for i = 1, #recent, 2 do
    local mine = wanted[string.match(recent[i], '^([^|]*)|')]
    if mine then mine[#mine + 1] = recent[i]; mine[#mine + 1] = recent[i + 1] end
  end
  local now = tonumber(args[4])
  local out = {}
  for i = 5, #args do
    local jobs = WORKER .. args[i] .. ':jobs'
    local last = redis.call('ZREVRANGE', jobs, 0, 0, 'WITHSCORES')
    local busy_until = 0
    -- Visits are at most a working day long: those that started 12 h ago or later.
    for _, vid in ipairs(redis.call('ZRANGEBYSCORE', WORKER .. args[i] .. ':visits', now - 12 * 3600 * 1000, '+inf')) do
      local v = redis.call('HMGET', VISIT .. vid, 'end', 'state')
      local finish = tonumber(v[1]) or 0
      if v[2] ~= VS.completed and finish > now and finish > busy_until then busy_until = finish end
    end
    out[#out + 1] = {redis.call('ZCOUNT', jobs, args[1], '+inf'), redis.call('ZCOUNT', jobs, args[2], '+inf'),
                     last[2] or '0', redis.call('ZCARD', WORKER .. args[i] .. ':open'), wanted[args[i]],
                     busy_until}
  end
  return out
end

local function matchable(state) return state == RS.matching or state == RS.unassigned end

-- The assignments of a report by worker: {id, state, round}.
local function assignment_by_worker(report_id)
  local by = {}
  for _, aid in ipairs(assignments_of(report_id)) do
    local a = redis.call('HMGET', ASSIGNMENT .. aid, 'worker', 'state', 'round')
    if a[1] then
      local seen = by[a[1]]
      -- An accepted or declined answer outweighs an older open one.
      if not seen or seen.state == AS.alerted or seen.state == AS.cancelled then
        by[a[1]] = {id = aid, state = a[2], round = tonumber(a[3]) or 0}
      end
    end
  end
  return by
end

-- Writes a decided ladder step (dispatcher/matching/ladder_step.cpp decides it on a snapshot):
-- the steps passed over with their reasons, then the alerts of the step that fires (new
-- assignments, or repeats of those still alerted), its state and the next step's timer; or,
-- with nothing left, the wait before a restart ('exhausted') or the restart itself.
-- d: {step, target, channel, outcome, skipped: [{step, target, why}], base_ms?, deadline_ms,
--     next_timer_ms, next_step, last_step, round, alerts: [{worker, region, why, shift_end_ms,
--     travel_ms, repeat}], restart_after_ms}
local function write_step(report_id, d, now)
  local rkey = report_key(report_id)
  redis.call('SREM', DECIDING, 'step:' .. report_id)
  for _, s in ipairs(d.skipped) do
    audit(now, 'dispatcher', 'escalation.step_skipped', report_id,
          'step=' .. s.step .. ' target=' .. s.target .. ' moving on at once: ' .. s.why)
  end
  if given(d.base_ms) then redis.call('HSET', rkey, 'ladder_base', d.base_ms) end
  if d.outcome == 'restarted' then
    redis.call('ZREM', TIMERS, 'step:' .. report_id)
    set_report(report_id, now, 'state', RS.matching, 'next_step', '')
    match_job(report_id, 'restart')
    audit(now, 'dispatcher', 'coverage.failure', report_id,
          'nobody accepted after the whole escalation ladder; matching again with who is on call now')
    return 'restarted'
  end
  if d.outcome == 'exhausted' then
    set_report(report_id, now, 'next_step', d.next_step)
    redis.call('ZADD', TIMERS, d.next_timer_ms, 'step:' .. report_id)
    audit(now, 'dispatcher', 'escalation.exhausted', report_id,
          'no step left with anyone to alert; restarting in ' .. math.floor(d.restart_after_ms / 1000) .. ' s')
    return 'exhausted'
  end
  local template = cjson.decode(redis.call('HGET', rkey, 'alert_template') or '{}')
  local k = d.step
  local function callout(aid, worker)
    local fields = {}
    for name, value in pairs(template) do fields[name] = value end
    fields.alert_id = aid
    fields.assignment = aid
    fields.kind = 'callout'
    fields.channel = d.channel
    fields.worker = worker
    fields.step = k
    fields.deadline_ms = d.deadline_ms
    return fields
  end
  for _, t in ipairs(d.alerts) do
    if t['repeat'] ~= '' then
      local fields = callout(t['repeat'], t.worker)
      fields.alert_id = t['repeat'] .. '~' .. k .. '.' .. d.round
      alert(fields)
      redis.call('HSET', ASSIGNMENT .. t['repeat'], 'round', d.round, 'updated_at', now)
      audit(now, 'dispatcher', 'escalation.repeat', report_id,
            'step=' .. k .. ' target=' .. d.target .. ' assignment=' .. t['repeat'] .. ' worker=' ..
            t.worker .. ' channel=' .. d.channel)
    else
      local n = redis.call('RPUSH', REPORT .. report_id .. ':assignments', '')
      local aid = report_id .. '-' .. n
      redis.call('LSET', REPORT .. report_id .. ':assignments', n - 1, aid)
      redis.call('HSET', ASSIGNMENT .. aid, 'id', aid, 'report', report_id, 'worker', t.worker,
                 'state', AS.alerted, 'step', k, 'round', d.round, 'target', d.target,
                 'region', str(t.region), 'reason', str(t.why), 'shift_end', tonumber(t.shift_end_ms) or 0,
                 'travel_ms', tonumber(t.travel_ms) or 0, 'created_at', now, 'updated_at', now,
                 'deadline', d.deadline_ms)
      redis.call('ZADD', WORKER .. t.worker .. ':open', now, aid)
      alert(callout(aid, t.worker))
      audit(now, 'dispatcher', 'assignment.alerted', report_id,
            'step=' .. k .. ' target=' .. d.target .. ' assignment=' .. aid .. ' worker=' ..
            t.worker .. ' reason=' .. str(t.why))
    end
  end
  set_report(report_id, now, 'state', RS.alerting, 'step', k, 'next_step', d.next_step)
  redis.call('ZADD', TIMERS, d.next_timer_ms, 'step:' .. report_id)
  if d.last_step then
    audit(now, 'dispatcher', 'escalation.last_step', report_id,
          'the last step fired; restarting in ' .. math.floor(d.restart_after_ms / 1000) .. ' s if nobody accepts')
  end
  return AS.alerted
end

-- What firing the next ladder step is decided on. ARGV[1]: report_id. Returns JSON {exists,
-- state, round, next_step ('' when none), ladder (as stored, text), base_ms?, restart_after_ms,
-- assignments: [{id, worker, state, round}]}.
local function step_context(keys, args)
  local f = redis.call('HMGET', report_key(args[1]), 'state', 'round', 'next_step', 'ladder', 'ladder_base',
                       'restart_after_ms')
  if not f[1] then return cjson.encode({exists = false}) end
  local out = {exists = true, state = f[1], round = tonumber(f[2]) or 0, next_step = f[3] or '',
               ladder = f[4] or '[]', base_ms = tonumber(f[5]), restart_after_ms = tonumber(f[6]) or 300000,
               assignments = {}}
  for _, aid in ipairs(assignments_of(args[1])) do
    local a = redis.call('HMGET', ASSIGNMENT .. aid, 'worker', 'state', 'round')
    if a[1] then
      out.assignments[#out.assignments + 1] = {id = aid, worker = a[1], state = a[2], round = tonumber(a[3]) or 0}
    end
  end
  return cjson.encode(out)
end

-- Applies a decided step if the report is still where it was read: the same state, round and
-- next step (a conflict otherwise, nothing written; the caller reads and decides again).
-- ARGV[1]: {report, now, expect: {state, round, next_step}, decision}
local function apply_step(keys, args)
  local p = cjson.decode(args[1])
  local f = redis.call('HMGET', report_key(p.report), 'state', 'round', 'next_step')
  if not f[1] then return fail('NOT_FOUND', 'report', 'no such report') end
  if f[1] ~= p.expect.state or (tonumber(f[2]) or 0) ~= p.expect.round or (f[3] or '') ~= p.expect.next_step then
    return fail('CONFLICT', 'state', 'the report moved on since its ladder was read')
  end
  return write_step(p.report, p.decision, p.now)
end

-- ARGV[1]: {report, now, entry, ladder, ranking, alert_template, restart_after_ms, informed:
--           [{worker, alert}], team_leads, physician, actor}
local function start_ladder(keys, args)
  local p = cjson.decode(args[1])
  local f = redis.call('HMGET', report_key(p.report), 'state', 'round')
  if not matchable(f[1]) then
    redis.call('XACK', MATCH, MATCH_GROUP, p.entry)
    return 'skipped'  -- a repeated job: already done
  end
  -- The first step was decided for the round after the one read; another round in between
  -- means it must be decided again (the job stays pending).
  if (tonumber(f[2]) or 0) + 1 ~= p.first_step.round then
    return fail('CONFLICT', 'round', 'the report was matched again since it was read')
  end
  redis.call('XACK', MATCH, MATCH_GROUP, p.entry)
  local round = redis.call('HINCRBY', report_key(p.report), 'round', 1)
  set_report(p.report, p.now, 'ladder', cjson.encode(p.ladder), 'ranking', cjson.encode(p.ranking),
             'alert_template', cjson.encode(p.alert_template), 'restart_after_ms', p.restart_after_ms,
             'team_leads', cjson.encode(p.team_leads), 'physician', p.physician,
             'ladder_started_at', p.now)
  audit(p.now, p.actor, 'matching.ranked', p.report, 'round=' .. round .. ' ' .. p.summary)
  if round == 1 then
    for _, info in ipairs(p.informed) do
      alert(info.alert)
      audit(p.now, p.actor, 'family_worker.informed', p.report,
            'worker=' .. info.worker .. ' (works with this family, not on call: informed, not sent out)')
    end
  end
  redis.call('ZREM', TIMERS, 'step:' .. p.report)
  return write_step(p.report, p.first_step, p.now)
end

-- Nobody at all to alert: record the gap and try again later.
-- ARGV: report_id, retry_at_ms, now_ms, match_entry_id, reason, actor
local function no_candidate(keys, args)
  local state = redis.call('HGET', report_key(args[1]), 'state')
  redis.call('XACK', MATCH, MATCH_GROUP, args[4])
  if not matchable(state) then return 'skipped' end
  set_report(args[1], args[3], 'state', RS.unassigned)
  redis.call('ZADD', TIMERS, args[2], 'rematch:' .. args[1])
  audit(args[3], args[6], 'coverage.gap', args[1], args[5])
  return RS.unassigned
end

-- A job for a report that no longer needs matching. ARGV: match_entry_id
local function drop_job(keys, args)
  return redis.call('XACK', MATCH, MATCH_GROUP, args[1])
end


-- The report's accepted professionals, with `also` counted as accepted: {worker, travel, shift_end}.
local function accepted_with(report_id, also)
  local out = {}
  for _, aid in ipairs(assignments_of(report_id)) do
    local x = redis.call('HMGET', ASSIGNMENT .. aid, 'state', 'worker', 'travel_ms', 'shift_end', 'accepted_at')
    if x[1] == AS.accepted or aid == also then
      out[#out + 1] = {worker = x[2], travel = tonumber(x[3]) or 0, shift_end = tonumber(x[4]) or 0,
                       assignment = aid, accepted_at = tonumber(x[5])}
    end
  end
  return out
end

-- What an acceptance is decided on: the assignment, the report's state and round, who would
-- have accepted with it, and those workers' visits from from_ms to to_ms.
-- ARGV[1]: {assignment, from_ms, to_ms}. Returns JSON {exists, state, report, worker,
-- report_state, round, needed, visit_required, region, accepted: [{worker, travel, shift_end}], busy: [[start, end]]}
local function accept_context(keys, args)
  local p = cjson.decode(args[1])
  local a = redis.call('HMGET', ASSIGNMENT .. p.assignment, 'state', 'report', 'worker')
  if not a[1] then return cjson.encode({exists = false}) end
  local r = redis.call('HMGET', report_key(a[2]), 'state', 'round', 'needed', 'visit_required', 'region')
  local accepted = accepted_with(a[2], p.assignment)
  local workers = {}
  for _, x in ipairs(accepted) do workers[#workers + 1] = x.worker end
  local busy = visits_of(workers, p.from_ms, p.to_ms)
  return cjson.encode({exists = true, state = a[1], report = a[2], worker = a[3], report_state = r[1],
                       round = tonumber(r[2]) or 0, needed = tonumber(r[3]) or 1,
                       visit_required = r[4] == '1', region = r[5], accepted = accepted,
                       busy = busy})  -- (an empty table arrives as {}: the caller reads it as none)
end

-- Applies a decided acceptance. Refused as a conflict, with nothing written, when the report
-- moved on (expect: state, round), another professional answered in between (accepted_seen:
-- how many would have accepted, this one included), or the decided visit start now overlaps
-- another visit of its workers.
-- ARGV[1]: {assignment, now, actor, visit_ms, checkin_ms, link_base, expect?, accepted_seen?,
--           visit_start? (when this acceptance completes a report that needs a visit)}
-- Returns JSON {state, report, worker, changed, visit?, visit_start?, late?}
local function accept(keys, args)
  local p = cjson.decode(args[1])
  local akey = ASSIGNMENT .. p.assignment
  local a = redis.call('HMGET', akey, 'state', 'report', 'worker')
  if not a[1] then return fail('NOT_FOUND', 'assignment', 'no such assignment') end
  if a[1] == AS.accepted then
    return cjson.encode({state = AS.accepted, report = a[2], worker = a[3], changed = false})
  end
  if a[1] ~= AS.alerted then
    return fail('CONFLICT', 'assignment', 'the assignment is ' .. a[1] .. ', it can no longer be accepted')
  end
  local conflict = stale(a[2], p.expect)
  if conflict then return conflict end
  local r = redis.call('HMGET', report_key(a[2]), 'needed', 'visit_required', 'family_key', 'state')
  local accepted = accepted_with(a[2], p.assignment)
  if given(p.accepted_seen) and tonumber(p.accepted_seen) ~= #accepted then
    return fail('CONFLICT', 'state', 'another professional answered in between')
  end
  local complete = #accepted >= (tonumber(r[1]) or 1)
  if complete and r[2] == '1' then
    if not given(p.visit_start) then return fail('CONFLICT', 'state', 'the visit was not decided') end
    local workers = {}
    for _, x in ipairs(accepted) do workers[#workers + 1] = x.worker end
    local clash = overlapping_visit(workers, p.visit_start, p.visit_ms)
    if clash then return fail('CONFLICT', 'visit_start', 'visit ' .. clash .. ' was planned there in between') end
  end
  redis.call('HSET', akey, 'state', AS.accepted, 'accepted_at', p.now, 'updated_at', p.now)
  close_callout(p.assignment)
  redis.call('ZADD', WORKER .. a[3] .. ':jobs', p.now, p.assignment)
  record_call_out(p.assignment, a[3], p.now, p.now + p.min_call_out_ms, p.now)
  audit(p.now, p.actor, 'assignment.accepted', a[2], 'assignment=' .. p.assignment .. ' worker=' .. a[3])
  local out = {state = AS.accepted, report = a[2], worker = a[3], changed = true}
  if not complete then
    audit(p.now, 'dispatcher', 'escalation.waiting_for_second', a[2],
          #accepted .. ' of ' .. r[1] .. ' professionals accepted; paging goes on for the rest')
    return cjson.encode(out)
  end
  -- Everyone needed said yes: stop all paging at once.
  redis.call('ZREM', TIMERS, 'step:' .. a[2])
  cancel_open_assignments(a[2], p.now)
  if r[3] and r[3] ~= '' then
    for _, x in ipairs(accepted) do redis.call('SADD', FAMILY .. r[3], x.worker) end
  end
  set_report(a[2], p.now, 'state', RS.accepted, 'next_step', '')
  if r[2] == '1' then
    local vid, start, late = plan_visit(a[2], accepted, p.now, p, tonumber(p.visit_start))
    set_report(a[2], p.now, 'state', RS.visit_planned, 'visit', vid)
    out.visit = vid
    out.visit_start = start
    out.late = late == 1
  end
  return cjson.encode(out)
end

-- ARGV: assignment_id, now_ms, actor, reason, expect? (JSON: the report's state and round as
-- read). A decline moves the ladder on at once.
local function decline(keys, args)
  local akey = ASSIGNMENT .. args[1]
  local a = redis.call('HMGET', akey, 'state', 'report', 'worker')
  if not a[1] then return fail('NOT_FOUND', 'assignment', 'no such assignment') end
  if a[1] == AS.declined then return {AS.declined, a[2], a[3], 0} end
  if args[5] and args[5] ~= '' then
    local conflict = stale(a[2], cjson.decode(args[5]))
    if conflict then return conflict end
  end
  if a[1] ~= AS.alerted then
    return fail('CONFLICT', 'assignment', 'the assignment is ' .. a[1] .. ', it can no longer be declined')
  end
  redis.call('HSET', akey, 'state', AS.declined, 'declined_at', args[2], 'updated_at', args[2])
  close_callout(args[1])
  audit(args[2], args[3], 'assignment.declined', a[2],
        'assignment=' .. args[1] .. ' worker=' .. a[3] .. ' reason=' .. args[4])
  -- The ladder moves on at once: the caller decides and applies the next step (its timer
  -- stays until then, so a caller that dies leaves it to fire on schedule).
  return {AS.declined, a[2], a[3], 1}
end

redis.register_function{function_name = 'piket_match_context', flags = {'no-writes'}, callback = match_context}
redis.register_function{function_name = 'piket_worker_loads', flags = {'no-writes'}, callback = worker_loads}
redis.register_function('piket_start_ladder', start_ladder)
redis.register_function('piket_no_candidate', no_candidate)
redis.register_function('piket_drop_job', drop_job)
redis.register_function{function_name = 'piket_accept_context', flags = {'no-writes'}, callback = accept_context}
redis.register_function('piket_accept', accept)
redis.register_function('piket_decline', decline)
redis.register_function{function_name = 'piket_step_context', flags = {'no-writes'}, callback = step_context}
redis.register_function('piket_apply_step', apply_step)
-- A claimed step that needs nothing (the report moved on): no longer being decided.
redis.register_function('piket_step_release', function(keys, args)
  return redis.call('SREM', DECIDING, 'step:' .. args[1])
end)
