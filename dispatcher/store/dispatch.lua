#!lua name=piket_dispatch
-- Every state change of a report is one function: state, audit entry, timeline entry and
-- follow-up work (alerts, timers, the XACK of the input) together, so a crash between two
-- steps leaves nothing half done. Most functions take one JSON argument and return JSON.
-- Errors start with CONFLICT / NOT_FOUND / INVALID and "field|message" for the API.

local VERSION = '@PIKET_LUA_VERSION@'

local REPORT = 'piket:report:'
local ASSIGNMENT = 'piket:assignment:'
local VISIT = 'piket:visit:'
local WORKER = 'piket:worker:'
local FAMILY = 'piket:family:'
local TIMERS = 'piket:timers'
local MATCH = 'piket:stream:match'
local MATCH_GROUP = 'dispatchers'
local ALERTS = 'piket:stream:alerts'
local AUDIT = 'piket:stream:audit'
local ACCESS = 'piket:stream:access'
local INDEX = 'piket:reports'

-- JSON null arrives as cjson.null: text fields read through this.
local function str(value) if type(value) == 'string' then return value end return '' end

local function fail(kind, field, message) return redis.error_reply(kind .. ' ' .. field .. '|' .. message) end

-- Every entry the dispatcher writes to the audit and access streams carries the hash of the
-- one before it (SHA-1 over that hash and its own fields, in order), so removing or changing
-- an entry breaks the chain from there on; the head is kept in piket:chain:<stream> and
-- written to the dispatcher's log, outside Redis.
local CHAIN = 'piket:chain:'
local function chain_hash(prev, fields)
  return redis.sha1hex(prev .. '\n' .. table.concat(fields, '\n'))
end

local function chained_xadd(stream, fields)
  local prev = redis.call('GET', CHAIN .. stream) or ''
  local hash = chain_hash(prev, fields)
  redis.call('XADD', stream, '*', 'prev', prev, 'hash', hash, unpack(fields))
  redis.call('SET', CHAIN .. stream, hash)
end

-- The audit stream for everything; the report's own timeline for the operator's view.
local function audit(at, actor, action, report_id, detail)
  chained_xadd(AUDIT, {'at', tostring(at), 'actor', actor, 'action', action, 'report', report_id,
                       'detail', detail})
  redis.call('RPUSH', REPORT .. report_id .. ':timeline',
             cjson.encode({at = tonumber(at), actor = actor, action = action, detail = detail}))
end

local function alert(fields) redis.call('XADD', ALERTS, '*', 'alert', cjson.encode(fields)) end

local function report_key(id) return REPORT .. id end

-- A worker's open call-outs (alerted, not yet answered) count as load when other reports are
-- ranked, so reports arriving together are spread over the workers on call.
local function close_callout(aid)
  local worker = redis.call('HGET', ASSIGNMENT .. aid, 'worker')
  if worker then redis.call('ZREM', WORKER .. worker .. ':open', aid) end
end

local function cancel_open_assignments(report_id, now)
  for _, aid in ipairs(redis.call('LRANGE', REPORT .. report_id .. ':assignments', 0, -1)) do
    if redis.call('HGET', ASSIGNMENT .. aid, 'state') == 'alerted' then
      redis.call('HSET', ASSIGNMENT .. aid, 'state', 'cancelled', 'updated_at', now)
      close_callout(aid)
    end
  end
end
local function assignments_of(id) return redis.call('LRANGE', REPORT .. id .. ':assignments', 0, -1) end

local function set_report(id, now, ...)
  redis.call('HSET', REPORT .. id, 'updated_at', now, ...)
end

-- ---------------------------------------------------------------- intake

-- KEYS: idempotency key
-- ARGV[1]: {id, fingerprint, report, triage, now, region, municipality, class, state, actor,
--           kind, needed, visit_required, first_contact_by, family_key, timers:[{member, at}],
--           from_advice}
local function submit_report(keys, args)
  local r = cjson.decode(args[1])
  local seen = redis.call('HGET', keys[1], 'report')
  if seen then
    if redis.call('HGET', keys[1], 'fingerprint') ~= r.fingerprint then
      return fail('CONFLICT', 'Idempotency-Key', 'this key was already used for a different report')
    end
    return {seen, 0}
  end
  if r.from_advice ~= '' then
    local advice_state = redis.call('HGET', report_key(r.from_advice), 'state')
    if not advice_state then return fail('NOT_FOUND', 'id', 'no such advice contact') end
    if advice_state ~= 'advice' then
      return fail('CONFLICT', 'id', 'this contact is ' .. advice_state .. ', not an open advice contact')
    end
    set_report(r.from_advice, r.now, 'state', 'converted', 'converted_to', r.id)
    audit(r.now, r.actor, 'advice.converted', r.from_advice, 'report=' .. r.id)
  end
  redis.call('HSET', report_key(r.id), 'id', r.id, 'kind', r.kind, 'report', r.report,
             'triage', r.triage, 'state', r.state, 'region', r.region,
             'municipality', r.municipality, 'class', r.class, 'created_at', r.now,
             'updated_at', r.now, 'needed', r.needed, 'visit_required', r.visit_required,
             'first_contact_by', r.first_contact_by, 'family_key', r.family_key,
             'from_advice', r.from_advice, 'round', 0)
  redis.call('HSET', keys[1], 'report', r.id, 'fingerprint', r.fingerprint)
  redis.call('PEXPIRE', keys[1], 7 * 24 * 3600 * 1000)
  redis.call('ZADD', INDEX, r.now, r.id)
  for _, t in ipairs(r.timers) do redis.call('ZADD', TIMERS, t.at, t.member) end
  audit(r.now, r.actor, r.kind == 'advice' and 'advice.recorded' or 'report.created', r.id,
        'class=' .. r.class .. ' state=' .. r.state)
  if r.state == 'matching' then
    redis.call('XADD', MATCH, '*', 'report', r.id, 'reason', 'new')
  end
  return {r.id, 1}
end

-- ---------------------------------------------------------------- matching

-- ARGV: report_id. Returns JSON: {exists, state, region, municipality, triage, needed,
-- family_workers, declined:[worker], round}
local function match_context(keys, args)
  local f = redis.call('HMGET', report_key(args[1]), 'state', 'region', 'triage', 'municipality',
                       'needed', 'family_key', 'round')
  if not f[1] then return cjson.encode({exists = false}) end
  local out = {exists = true, state = f[1], region = f[2], triage = f[3], municipality = f[4],
               needed = tonumber(f[5]) or 1, round = tonumber(f[7]) or 0,
               family_workers = {}, declined = {}}
  if f[6] and f[6] ~= '' then out.family_workers = redis.call('SMEMBERS', FAMILY .. f[6]) end
  for _, aid in ipairs(assignments_of(args[1])) do
    local a = redis.call('HMGET', ASSIGNMENT .. aid, 'worker', 'state')
    if a[2] == 'declined' then out.declined[#out.declined + 1] = a[1] end
  end
  return cjson.encode(out)
end

-- ARGV: day_start_ms, since_ms (24 h ago), worker...
-- Returns {cases_today, jobs_24h, last_ms, open call-outs} per worker.
local function worker_loads(keys, args)
  local out = {}
  for i = 3, #args do
    local jobs = WORKER .. args[i] .. ':jobs'
    local last = redis.call('ZREVRANGE', jobs, 0, 0, 'WITHSCORES')
    out[#out + 1] = {redis.call('ZCOUNT', jobs, args[1], '+inf'), redis.call('ZCOUNT', jobs, args[2], '+inf'),
                     last[2] or '0', redis.call('ZCARD', WORKER .. args[i] .. ':open')}
  end
  return out
end

local function matchable(state) return state == 'matching' or state == 'unassigned' end

-- The assignments of a report by worker: {id, state, round}.
local function assignment_by_worker(report_id)
  local by = {}
  for _, aid in ipairs(assignments_of(report_id)) do
    local a = redis.call('HMGET', ASSIGNMENT .. aid, 'worker', 'state', 'round')
    if a[1] then
      local seen = by[a[1]]
      -- An accepted or declined answer outweighs an older open one.
      if not seen or seen.state == 'alerted' or seen.state == 'cancelled' or seen.state == 'expired' then
        by[a[1]] = {id = aid, state = a[2], round = tonumber(a[3]) or 0}
      end
    end
  end
  return by
end

local function accepted_count(report_id)
  local n = 0
  for _, aid in ipairs(assignments_of(report_id)) do
    if redis.call('HGET', ASSIGNMENT .. aid, 'state') == 'accepted' then n = n + 1 end
  end
  return n
end

-- Fires ladder step k of the report: alerts its targets, or moves on at once (and says so)
-- when a step has nobody left to alert. Steps keep their times from the ladder's start
-- ('ladder_base' + after_s), so a late tick (a restarted dispatcher) catches up in order; a
-- step fired early (a decline, a skipped step) moves the base so the rest keep their spacing.
-- Past the last step: a coverage failure is recorded and the report is matched again with
-- fresh on-call answers.
local function fire_step(report_id, k, now, on_schedule)
  local rkey = report_key(report_id)
  local f = redis.call('HMGET', rkey, 'ladder', 'alert_template', 'round', 'restart_after_ms', 'ladder_base')
  local ladder = cjson.decode(f[1] or '[]')
  local template = cjson.decode(f[2] or '{}')
  local round = tonumber(f[3]) or 0
  local restart_after = tonumber(f[4]) or 300000
  local base = tonumber(f[5]) or now
  while true do
    local step = ladder[k + 1]  -- k counts from 0
    if k > #ladder then
      set_report(report_id, now, 'state', 'matching', 'next_step', '')
      redis.call('XADD', MATCH, '*', 'report', report_id, 'reason', 'restart')
      audit(now, 'dispatcher', 'coverage.failure', report_id,
            'nobody accepted after the whole escalation ladder; matching again with who is on call now')
      return 'restarted'
    end
    if not step then
      -- Every step was empty to the end: wait restart_after for a late answer, then start again.
      set_report(report_id, now, 'next_step', k + 1)
      redis.call('ZADD', TIMERS, now + restart_after, 'step:' .. report_id)
      audit(now, 'dispatcher', 'escalation.exhausted', report_id,
            'no step left with anyone to alert; restarting in ' .. math.floor(restart_after / 1000) .. ' s')
      return 'exhausted'
    end
    if not on_schedule then
      base = now - step.after_s * 1000
      redis.call('HSET', rkey, 'ladder_base', base)
    end
    local by = assignment_by_worker(report_id)
    local next_at = nil
    if ladder[k + 2] then next_at = base + ladder[k + 2].after_s * 1000 end
    local sent = 0
    local deadline = next_at or (base + step.after_s * 1000 + restart_after)
    for _, t in ipairs(step.targets) do
      local had = by[t.worker]
      local repeat_it = had and had.state == 'alerted' and (step.target == 'repeat' or had.round < round)
      if repeat_it then
        local fields = {}
        for name, value in pairs(template) do fields[name] = value end
        fields.alert_id = had.id .. '~' .. k .. '.' .. round
        fields.assignment = had.id
        fields.kind = 'callout'
        fields.channel = step.channel
        fields.worker = t.worker
        fields.step = k
        fields.deadline_ms = deadline
        alert(fields)
        redis.call('HSET', ASSIGNMENT .. had.id, 'round', round, 'updated_at', now)
        audit(now, 'dispatcher', 'escalation.repeat', report_id,
              'step=' .. k .. ' target=' .. step.target .. ' assignment=' .. had.id .. ' worker=' ..
              t.worker .. ' channel=' .. step.channel)
        sent = sent + 1
      elseif (not had or had.state == 'cancelled' or had.state == 'expired') and step.target ~= 'repeat' then
        local n = redis.call('RPUSH', REPORT .. report_id .. ':assignments', '')
        local aid = report_id .. '-' .. n
        redis.call('LSET', REPORT .. report_id .. ':assignments', n - 1, aid)
        redis.call('HSET', ASSIGNMENT .. aid, 'id', aid, 'report', report_id, 'worker', t.worker,
                   'state', 'alerted', 'step', k, 'round', round, 'target', step.target,
                   'region', str(t.region), 'reason', str(t.why), 'shift_end', tonumber(t.shift_end_ms) or 0,
                   'travel_ms', tonumber(t.travel_ms) or 0, 'created_at', now, 'updated_at', now,
                   'deadline', deadline)
        redis.call('ZADD', WORKER .. t.worker .. ':open', now, aid)
        local fields = {}
        for name, value in pairs(template) do fields[name] = value end
        fields.alert_id = aid
        fields.assignment = aid
        fields.kind = 'callout'
        fields.channel = step.channel
        fields.worker = t.worker
        fields.step = k
        fields.deadline_ms = deadline
        alert(fields)
        audit(now, 'dispatcher', 'assignment.alerted', report_id,
              'step=' .. k .. ' target=' .. step.target .. ' assignment=' .. aid .. ' worker=' ..
              t.worker .. ' reason=' .. str(t.why))
        sent = sent + 1
      end
    end
    if sent > 0 then
      set_report(report_id, now, 'state', 'alerting', 'step', k, 'next_step', k + 1)
      if next_at then
        redis.call('ZADD', TIMERS, next_at, 'step:' .. report_id)
      else
        redis.call('ZADD', TIMERS, deadline, 'step:' .. report_id)
        set_report(report_id, now, 'next_step', k + 2)  -- past the end: restart when it fires
        audit(now, 'dispatcher', 'escalation.last_step', report_id,
              'the last step fired; restarting in ' .. math.floor(restart_after / 1000) .. ' s if nobody accepts')
      end
      return 'alerted'
    end
    local why = step.skipped_reason
    if type(why) ~= 'string' or why == '' then why = 'everyone in this step was already alerted or declined' end
    audit(now, 'dispatcher', 'escalation.step_skipped', report_id,
          'step=' .. k .. ' target=' .. step.target .. ' moving on at once: ' .. why)
    k = k + 1
    on_schedule = false
  end
end

-- ARGV[1]: {report, now, entry, ladder, ranking, alert_template, restart_after_ms, informed:
--           [{worker, alert}], team_leads, physician, actor}
local function start_ladder(keys, args)
  local p = cjson.decode(args[1])
  redis.call('XACK', MATCH, MATCH_GROUP, p.entry)
  local state = redis.call('HGET', report_key(p.report), 'state')
  if not matchable(state) then return 'skipped' end  -- a repeated job: already done
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
  return fire_step(p.report, 0, p.now, false)
end

-- Nobody at all to alert: record the gap and try again later.
-- ARGV: report_id, retry_at_ms, now_ms, match_entry_id, reason, actor
local function no_candidate(keys, args)
  local state = redis.call('HGET', report_key(args[1]), 'state')
  redis.call('XACK', MATCH, MATCH_GROUP, args[4])
  if not matchable(state) then return 'skipped' end
  set_report(args[1], args[3], 'state', 'unassigned')
  redis.call('ZADD', TIMERS, args[2], 'rematch:' .. args[1])
  audit(args[3], args[6], 'coverage.gap', args[1], args[5])
  return 'unassigned'
end

-- A job for a report that no longer needs matching. ARGV: match_entry_id
local function drop_job(keys, args)
  return redis.call('XACK', MATCH, MATCH_GROUP, args[1])
end

-- ---------------------------------------------------------------- answers

-- Finds the first start >= earliest where none of the workers has another visit.
local function free_slot(workers, earliest, duration)
  local start = earliest
  for _ = 1, 50 do
    local moved = false
    for _, w in ipairs(workers) do
      for _, vid in ipairs(redis.call('ZRANGEBYSCORE', WORKER .. w .. ':visits', '-inf', start + duration - 1)) do
        local v = redis.call('HMGET', VISIT .. vid, 'end', 'state')
        local vend = tonumber(v[1]) or 0
        if v[2] ~= 'cancelled' and vend > start then
          start = vend
          moved = true
        end
      end
    end
    if not moved then return start end
  end
  return start
end

-- Plans the same-day visit once the report has everyone it needs.
local function plan_visit(report_id, accepted, now, p)
  local f = redis.call('HMGET', report_key(report_id), 'first_contact_by', 'physician', 'region', 'municipality', 'class')
  local workers, travel, latest = {}, 0, tonumber(f[1]) or 0
  for _, a in ipairs(accepted) do
    workers[#workers + 1] = a.worker
    if a.travel > travel then travel = a.travel end
    if a.shift_end > 0 and (latest == 0 or a.shift_end < latest) then latest = a.shift_end end
  end
  local start = free_slot(workers, now + travel, p.visit_ms)
  local vid = report_id .. '-v'
  local late = (latest > 0 and start > latest) and 1 or 0
  redis.call('HSET', VISIT .. vid, 'id', vid, 'report', report_id, 'workers', table.concat(workers, ','),
             'start', start, 'end', start + p.visit_ms, 'latest', latest, 'late', late,
             'state', 'planned', 'checkin_interval_ms', p.checkin_ms, 'physician', f[2] or '',
             'created_at', now, 'updated_at', now)
  for _, w in ipairs(workers) do redis.call('ZADD', WORKER .. w .. ':visits', start, vid) end
  redis.call('ZADD', TIMERS, start + p.checkin_ms, 'checkin:' .. vid)
  for _, w in ipairs(workers) do
    alert({alert_id = vid .. '-' .. w, kind = 'visit', worker = w, reference = report_id,
           urgency = f[5], region = f[3], municipality = f[4], visit_start_ms = start,
           visit_end_ms = start + p.visit_ms, link = p.link_base .. '/api/v1/visits/' .. vid})
  end
  if f[2] and f[2] ~= '' then
    alert({alert_id = vid .. '-consult', kind = 'consult', worker = f[2], reference = report_id,
           urgency = f[5], region = f[3], visit_start_ms = start,
           link = p.link_base .. '/api/v1/visits/' .. vid})
    audit(now, 'dispatcher', 'physician.consult_requested', report_id, 'physician=' .. f[2])
  end
  audit(now, 'dispatcher', 'visit.planned', report_id,
        'visit=' .. vid .. ' workers=' .. table.concat(workers, ',') .. ' start=' .. start ..
        (late == 1 and ' LATE: after the shift end or the triage deadline' or ''))
  return vid, start, late
end

-- ARGV[1]: {assignment, now, actor, visit_ms, checkin_ms, link_base}
-- Returns JSON {state, report, worker, changed, visit?, visit_start?, late?}
local function accept(keys, args)
  local p = cjson.decode(args[1])
  local akey = ASSIGNMENT .. p.assignment
  local a = redis.call('HMGET', akey, 'state', 'report', 'worker')
  if not a[1] then return fail('NOT_FOUND', 'assignment', 'no such assignment') end
  if a[1] == 'accepted' then
    return cjson.encode({state = 'accepted', report = a[2], worker = a[3], changed = false})
  end
  if a[1] ~= 'alerted' then
    return fail('CONFLICT', 'assignment', 'the assignment is ' .. a[1] .. ', it can no longer be accepted')
  end
  local r = redis.call('HMGET', report_key(a[2]), 'needed', 'visit_required', 'family_key', 'state')
  redis.call('HSET', akey, 'state', 'accepted', 'accepted_at', p.now, 'updated_at', p.now)
  close_callout(p.assignment)
  redis.call('ZADD', WORKER .. a[3] .. ':jobs', p.now, p.assignment)
  audit(p.now, p.actor, 'assignment.accepted', a[2], 'assignment=' .. p.assignment .. ' worker=' .. a[3])
  local out = {state = 'accepted', report = a[2], worker = a[3], changed = true}
  local accepted = {}
  for _, aid in ipairs(assignments_of(a[2])) do
    local x = redis.call('HMGET', ASSIGNMENT .. aid, 'state', 'worker', 'travel_ms', 'shift_end')
    if x[1] == 'accepted' then
      accepted[#accepted + 1] = {worker = x[2], travel = tonumber(x[3]) or 0, shift_end = tonumber(x[4]) or 0}
    end
  end
  if #accepted < (tonumber(r[1]) or 1) then
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
  set_report(a[2], p.now, 'state', 'accepted', 'next_step', '')
  if r[2] == '1' then
    local vid, start, late = plan_visit(a[2], accepted, p.now, p)
    set_report(a[2], p.now, 'state', 'visit_planned', 'visit', vid)
    out.visit = vid
    out.visit_start = start
    out.late = late == 1
  end
  return cjson.encode(out)
end

-- ARGV: assignment_id, now_ms, actor, reason. A decline moves the ladder on at once.
local function decline(keys, args)
  local akey = ASSIGNMENT .. args[1]
  local a = redis.call('HMGET', akey, 'state', 'report', 'worker')
  if not a[1] then return fail('NOT_FOUND', 'assignment', 'no such assignment') end
  if a[1] == 'declined' then return {'declined', a[2], a[3], 0} end
  if a[1] ~= 'alerted' then
    return fail('CONFLICT', 'assignment', 'the assignment is ' .. a[1] .. ', it can no longer be declined')
  end
  redis.call('HSET', akey, 'state', 'declined', 'declined_at', args[2], 'updated_at', args[2])
  close_callout(args[1])
  audit(args[2], args[3], 'assignment.declined', a[2],
        'assignment=' .. args[1] .. ' worker=' .. a[3] .. ' reason=' .. args[4])
  local r = redis.call('HMGET', report_key(a[2]), 'state', 'next_step')
  if r[1] == 'alerting' and r[2] and r[2] ~= '' then
    redis.call('ZREM', TIMERS, 'step:' .. a[2])
    fire_step(a[2], tonumber(r[2]), tonumber(args[2]), false)
  end
  return {'declined', a[2], a[3], 1}
end

-- ---------------------------------------------------------------- timers

-- Claims every deadline that has passed, atomically, so each fires exactly once even with
-- several dispatchers. ARGV: now_ms, limit.
-- Returns {members that fired, how late each fired (ms), the next deadline or ''}.
local function claim_due(keys, args)
  local now = tonumber(args[1])
  local due = redis.call('ZRANGEBYSCORE', TIMERS, '-inf', args[1], 'WITHSCORES', 'LIMIT', 0, tonumber(args[2]))
  local fired, lateness = {}, {}
  for i = 1, #due, 2 do
    local member = due[i]
    local before = #fired
    redis.call('ZREM', TIMERS, member)
    local ok, err = pcall(function()
      local kind, id = string.match(member, '^(%a+):(.+)$')
      if kind == 'step' then
        local r = redis.call('HMGET', report_key(id), 'state', 'next_step')
        if r[1] == 'alerting' and r[2] and r[2] ~= '' then
          fire_step(id, tonumber(r[2]), now, true)
          fired[#fired + 1] = member
        end
      elseif kind == 'rematch' then
        if redis.call('HGET', report_key(id), 'state') == 'unassigned' then
          set_report(id, now, 'state', 'matching')
          redis.call('XADD', MATCH, '*', 'report', id, 'reason', 'rematch')
          fired[#fired + 1] = member
        end
      elseif kind == 'checkin' then
        local v = redis.call('HMGET', VISIT .. id, 'state', 'report', 'workers', 'checkin_interval_ms')
        if v[1] == 'planned' or v[1] == 'in_progress' or v[1] == 'overdue' then
          redis.call('HSET', VISIT .. id, 'state', 'overdue', 'updated_at', now)
          local r = redis.call('HMGET', report_key(v[2]), 'team_leads', 'region', 'class')
          local leads = cjson.decode(r[1] or '[]')
          for _, lead in ipairs(leads) do
            alert({alert_id = id .. '-overdue-' .. now .. '-' .. lead, kind = 'checkin_overdue', worker = lead,
                   reference = v[2], region = r[2], urgency = r[3], visit = id})
          end
          if #leads == 0 then
            audit(now, 'dispatcher', 'visit.checkin_overdue', v[2], 'visit=' .. id ..
                  ' workers=' .. v[3] .. ' no team lead was on call to escalate to; reminder repeats')
          else
            audit(now, 'dispatcher', 'visit.checkin_overdue', v[2], 'visit=' .. id .. ' workers=' .. v[3] ..
                  ' escalated to team lead ' .. table.concat(leads, ','))
          end
          -- Until someone checks in, the team lead is reminded every interval.
          redis.call('ZADD', TIMERS, now + (tonumber(v[4]) or 1800000), member)
          fired[#fired + 1] = member
        end
      elseif kind == 'notice' then
        local report_id, label = string.match(id, '^([^:]+):(.+)$')
        local state = report_id and redis.call('HGET', report_key(report_id), 'state')
        if state and state ~= 'closed' and state ~= 'referred' then
          redis.call('RPUSH', REPORT .. report_id .. ':notices', cjson.encode({at = now, notice = label}))
          audit(now, 'dispatcher', 'deadline.' .. label, report_id, 'state=' .. state)
          fired[#fired + 1] = member
        end
      end
    end)
    if not ok then
      -- Never drop a deadline: it is tried again shortly, and the error is on record.
      redis.call('ZADD', TIMERS, now + 5000, member)
      chained_xadd(AUDIT, {'at', tostring(now), 'actor', 'dispatcher', 'action', 'timer.error',
                           'report', '', 'detail', member .. ' ' .. tostring(err)})
    end
    if #fired > before then lateness[#lateness + 1] = now - tonumber(due[i + 1]) end
  end
  local next_due = redis.call('ZRANGE', TIMERS, 0, 0, 'WITHSCORES')
  return {fired, lateness, next_due[2] or ''}
end

-- ---------------------------------------------------------------- visit and after

-- ARGV[1]: {visit, worker, status (arrived|ok|done|need_help), now, actor, consent?}
local function checkin(keys, args)
  local p = cjson.decode(args[1])
  local vkey = VISIT .. p.visit
  local v = redis.call('HMGET', vkey, 'state', 'report', 'workers', 'checkin_interval_ms')
  if not v[1] then return fail('NOT_FOUND', 'id', 'no such visit') end
  local member = false
  for w in string.gmatch(v[3], '[^,]+') do if w == p.worker then member = true end end
  if not member then return fail('INVALID', 'worker', 'is not one of the visit\'s professionals') end
  if v[1] == 'completed' or v[1] == 'cancelled' then
    return fail('CONFLICT', 'visit', 'the visit is ' .. v[1])
  end
  redis.call('RPUSH', vkey .. ':checkins', cjson.encode({at = p.now, worker = p.worker, status = p.status}))
  local state = 'in_progress'
  if p.status == 'done' then
    state = 'completed'
    redis.call('ZREM', TIMERS, 'checkin:' .. p.visit)
    redis.call('HSET', vkey, 'completed_at', p.now)
  elseif p.status == 'need_help' then
    state = 'overdue'
    redis.call('ZADD', TIMERS, p.now, 'checkin:' .. p.visit)  -- escalates on the next tick
  else
    redis.call('ZADD', TIMERS, p.now + tonumber(v[4]), 'checkin:' .. p.visit)
  end
  if p.status == 'arrived' then redis.call('HSET', vkey, 'arrived_at', p.now) end
  redis.call('HSET', vkey, 'state', state, 'updated_at', p.now, 'last_checkin', p.now)
  audit(p.now, p.actor, 'visit.checkin', v[2], 'visit=' .. p.visit .. ' worker=' .. p.worker .. ' status=' .. p.status)
  return cjson.encode({visit = p.visit, state = state, report = v[2]})
end

-- ARGV[1]: {report, outcome (JSON text), state (closed|referred), now, actor}
local function record_outcome(keys, args)
  local p = cjson.decode(args[1])
  local rkey = report_key(p.report)
  local r = redis.call('HMGET', rkey, 'state', 'visit')
  if not r[1] then return fail('NOT_FOUND', 'id', 'no such report') end
  if r[1] == 'closed' or r[1] == 'referred' or r[1] == 'converted' then
    return fail('CONFLICT', 'id', 'the report is already ' .. r[1])
  end
  if r[1] == 'matching' or r[1] == 'alerting' or r[1] == 'unassigned' then
    return fail('CONFLICT', 'id', 'the report is ' .. r[1] .. ': nobody has accepted it yet')
  end
  redis.call('ZREM', TIMERS, 'step:' .. p.report)
  cancel_open_assignments(p.report, p.now)
  if r[2] and r[2] ~= '' then
    local vstate = redis.call('HGET', VISIT .. r[2], 'state')
    if vstate ~= 'completed' then
      redis.call('HSET', VISIT .. r[2], 'state', 'completed', 'updated_at', p.now, 'completed_at', p.now)
      redis.call('ZREM', TIMERS, 'checkin:' .. r[2])
    end
  end
  set_report(p.report, p.now, 'state', p.state, 'outcome', p.outcome, 'closed_at', p.now)
  audit(p.now, p.actor, 'report.' .. p.state, p.report, 'route=' .. p.route)
  return cjson.encode({report = p.report, state = p.state})
end

-- The operator overrides the triage: both results stay (original kept once), audited.
-- ARGV[1]: {report, triage (new JSON text), class, dispatch (bool), reason, now, actor, needed}
local function override_triage(keys, args)
  local p = cjson.decode(args[1])
  local rkey = report_key(p.report)
  local r = redis.call('HMGET', rkey, 'state', 'class', 'triage', 'triage_original', 'kind')
  if not r[1] then return fail('NOT_FOUND', 'id', 'no such report') end
  if r[5] == 'advice' then return fail('CONFLICT', 'id', 'an advice contact has no triage; convert it to a report') end
  if r[1] ~= 'queued' and r[1] ~= 'matching' and r[1] ~= 'alerting' and r[1] ~= 'unassigned' then
    return fail('CONFLICT', 'id', 'the report is ' .. r[1] .. '; its triage can no longer change')
  end
  if not r[4] or r[4] == '' then redis.call('HSET', rkey, 'triage_original', r[3]) end
  redis.call('RPUSH', rkey .. ':overrides', cjson.encode({at = p.now, actor = p.actor, from = r[2],
                                                          to = p.class, reason = p.reason}))
  local state = r[1]
  if p.dispatch and state == 'queued' then
    state = 'matching'
    redis.call('XADD', MATCH, '*', 'report', p.report, 'reason', 'triage_override')
  elseif not p.dispatch and state ~= 'queued' then
    state = 'queued'
    redis.call('ZREM', TIMERS, 'step:' .. p.report, 'rematch:' .. p.report)
    cancel_open_assignments(p.report, p.now)
  end
  set_report(p.report, p.now, 'triage', p.triage, 'class', p.class, 'state', state, 'needed', p.needed,
             'visit_required', p.dispatch and '1' or '0', 'first_contact_by', p.first_contact_by)
  audit(p.now, p.actor, 'triage.overridden', p.report,
        'from=' .. r[2] .. ' to=' .. p.class .. ' reason=' .. p.reason)
  return cjson.encode({report = p.report, state = state, class = p.class, previous_class = r[2]})
end

-- The mayor's restraining order is extended: the new end and its notices, audited.
-- ARGV[1]: {report, triage (JSON text), until_ms, now, actor, reason}
local function extend_order(keys, args)
  local p = cjson.decode(args[1])
  local rkey = report_key(p.report)
  local state = redis.call('HGET', rkey, 'state')
  if not state then return fail('NOT_FOUND', 'id', 'no such report') end
  if state == 'closed' or state == 'referred' then return fail('CONFLICT', 'id', 'the report is ' .. state) end
  redis.call('HSET', rkey, 'triage', p.triage, 'updated_at', p.now)
  redis.call('ZADD', TIMERS, p.until_ms - 24 * 3600 * 1000, 'notice:' .. p.report .. ':order_ends_in_24h',
             p.until_ms, 'notice:' .. p.report .. ':order_ends')
  audit(p.now, p.actor, 'restraining_order.extended', p.report, 'until=' .. p.until_ms .. ' reason=' .. p.reason)
  return cjson.encode({report = p.report, state = state})
end

-- ---------------------------------------------------------------- reads

-- The operator's view of a report with its assignments, visit and timeline; the read is logged.
-- ARGV: report_id, now_ms, actor, purpose
local function read_report(keys, args)
  local rkey = report_key(args[1])
  local r = redis.call('HGETALL', rkey)
  if #r == 0 then return fail('NOT_FOUND', 'report', 'no such report') end
  chained_xadd(ACCESS, {'at', args[2], 'actor', args[3], 'report', args[1], 'purpose', args[4]})
  local assignments = {}
  for _, aid in ipairs(assignments_of(args[1])) do
    assignments[#assignments + 1] = redis.call('HGETALL', ASSIGNMENT .. aid)
  end
  local visit = redis.call('HGET', rkey, 'visit')
  local visit_fields, checkins = {}, {}
  if visit then
    visit_fields = redis.call('HGETALL', VISIT .. visit)
    checkins = redis.call('LRANGE', VISIT .. visit .. ':checkins', 0, -1)
  end
  return {r, assignments, redis.call('LRANGE', rkey .. ':timeline', 0, -1), visit_fields, checkins,
          redis.call('LRANGE', rkey .. ':overrides', 0, -1), redis.call('LRANGE', rkey .. ':notices', 0, -1)}
end

-- ARGV: visit_id. The visit's fields and check-ins (for the worker's view).
local function read_visit(keys, args)
  local v = redis.call('HGETALL', VISIT .. args[1])
  if #v == 0 then return fail('NOT_FOUND', 'id', 'no such visit') end
  return {v, redis.call('LRANGE', VISIT .. args[1] .. ':checkins', 0, -1)}
end

-- The desk's list (and the hand-offs' open cases): reports newest first, without personal
-- details (no reporter, narrative, address or people), so reading it is not a read of a case.
-- ARGV: region ('' = all), state ('' = every open case, advice contacts not included; 'all' =
-- every state), limit, since_ms
local function list_reports(keys, args)
  local out = {}
  local ids = redis.call('ZREVRANGEBYSCORE', INDEX, '+inf', args[4], 'LIMIT', 0, 5000)
  for _, id in ipairs(ids) do
    local r = redis.call('HMGET', REPORT .. id, 'region', 'state', 'kind', 'class', 'municipality',
                         'created_at', 'first_contact_by', 'needed', 'visit')
    local open = r[2] ~= 'closed' and r[2] ~= 'referred' and r[2] ~= 'converted' and r[2] ~= 'advice'
    local wanted = (args[2] == '' and open) or args[2] == 'all' or args[2] == r[2]
    if r[2] and (args[1] == '' or args[1] == r[1]) and wanted then
      out[#out + 1] = cjson.encode({id = id, region = r[1], state = r[2], kind = r[3], class = r[4],
                                    municipality = r[5], created_at = tonumber(r[6]) or 0,
                                    first_contact_by = tonumber(r[7]) or 0, needed = tonumber(r[8]) or 1,
                                    visit = r[9] or '',
                                    notices = redis.call('LLEN', REPORT .. id .. ':notices')})
      if #out >= tonumber(args[3]) then break end
    end
  end
  return out
end

-- Checks the chain of a stream, `count` entries from after `after_id`, starting from hash
-- `prev` (the caller walks the stream page by page). Entries without a hash (the scheduler's
-- roster changes in the audit stream) are outside the chain. ARGV: stream, after_id, prev, count
-- Returns {last id read, last hash, broken entry id or '', entries checked, at the end (1|0)}.
local function verify_chain(keys, args)
  local entries = redis.call('XRANGE', args[1], '(' .. args[2], '+', 'COUNT', tonumber(args[4]))
  local prev, last_id, checked = args[3], args[2], 0
  for _, e in ipairs(entries) do
    last_id = e[1]
    local f = e[2]
    if f[1] == 'prev' and f[3] == 'hash' then
      local fields = {}
      for i = 5, #f do fields[#fields + 1] = f[i] end
      if f[2] ~= prev or f[4] ~= chain_hash(f[2], fields) then return {last_id, prev, e[1], checked, 0} end
      prev = f[4]
      checked = checked + 1
    end
  end
  local at_end = #entries < tonumber(args[4]) and 1 or 0
  if at_end == 1 and (redis.call('GET', CHAIN .. args[1]) or '') ~= prev then
    return {last_id, prev, 'head', checked, 1}  -- entries removed from the end
  end
  return {last_id, prev, '', checked, at_end}
end

redis.register_function{function_name = 'piket_dispatch_version', flags = {'no-writes'},
                        callback = function() return VERSION end}
redis.register_function('piket_submit_report', submit_report)
redis.register_function{function_name = 'piket_match_context', flags = {'no-writes'}, callback = match_context}
redis.register_function{function_name = 'piket_worker_loads', flags = {'no-writes'}, callback = worker_loads}
redis.register_function('piket_start_ladder', start_ladder)
redis.register_function('piket_no_candidate', no_candidate)
redis.register_function('piket_drop_job', drop_job)
redis.register_function('piket_accept', accept)
redis.register_function('piket_decline', decline)
redis.register_function('piket_claim_due', claim_due)
redis.register_function('piket_checkin', checkin)
redis.register_function('piket_record_outcome', record_outcome)
redis.register_function('piket_override_triage', override_triage)
redis.register_function('piket_extend_order', extend_order)
redis.register_function('piket_read_report', read_report)
redis.register_function{function_name = 'piket_read_visit', flags = {'no-writes'}, callback = read_visit}
redis.register_function{function_name = 'piket_verify_chain', flags = {'no-writes'}, callback = verify_chain}
redis.register_function{function_name = 'piket_list_reports', flags = {'no-writes'}, callback = list_reports}
