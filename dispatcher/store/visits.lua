-- Visits: planning the same-day visit once everyone needed accepted, and the check-ins.

-- The slot is decided in C++ (dispatcher/visits/visit_slot.cpp) on the workers' visits as
-- read; it is written only if it still overlaps none of them. Returns the visit in the way.
local function overlapping_visit(workers, start, duration)
  for _, w in ipairs(workers) do
    for _, vid in ipairs(redis.call('ZRANGEBYSCORE', WORKER .. w .. ':visits', '-inf', start + duration - 1)) do
      if (tonumber(redis.call('HGET', VISIT .. vid, 'end')) or 0) > start then return vid end
    end
  end
  return nil
end

-- The workers' visits that start from `from` to `to`: [{start, end}], for that decision.
local function visits_of(workers, from, to)
  local out = {}
  for _, w in ipairs(workers) do
    for _, vid in ipairs(redis.call('ZRANGEBYSCORE', WORKER .. w .. ':visits', from, to)) do
      local v = redis.call('HMGET', VISIT .. vid, 'start', 'end')
      out[#out + 1] = {tonumber(v[1]) or 0, tonumber(v[2]) or 0}
    end
  end
  return out
end

-- Plans the same-day visit, at the decided start, once the report has everyone it needs.
local function plan_visit(report_id, accepted, now, p, start)
  local f = redis.call('HMGET', report_key(report_id), 'first_contact_by', 'physician', 'region', 'municipality', 'class')
  local workers, latest = {}, tonumber(f[1]) or 0
  for _, a in ipairs(accepted) do
    workers[#workers + 1] = a.worker
    if a.shift_end > 0 and (latest == 0 or a.shift_end < latest) then latest = a.shift_end end
  end
  local vid = report_id .. '-v'
  local late = (latest > 0 and start > latest) and 1 or 0
  redis.call('HSET', VISIT .. vid, 'id', vid, 'report', report_id, 'workers', table.concat(workers, ','),
             'start', start, 'end', start + p.visit_ms, 'latest', latest, 'late', late,
             'state', VS.planned, 'checkin_interval_ms', p.checkin_ms, 'physician', f[2] or '',
             'created_at', now, 'updated_at', now)
  for _, w in ipairs(workers) do redis.call('ZADD', WORKER .. w .. ':visits', start, vid) end
  -- Each call-out's work now runs from setting off (not before the acceptance) to the visit's end.
  for _, a in ipairs(accepted) do
    local accepted_at = a.accepted_at or now
    local from = math.max(accepted_at, start - a.travel)
    record_call_out(a.assignment, a.worker, from, math.max(from + p.min_call_out_ms, start + p.visit_ms), now)
  end
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


-- ARGV[1]: {visit, worker, status (arrived|ok|done|need_help), now, actor, expect_state?}
local function checkin(keys, args)
  local p = cjson.decode(args[1])
  local vkey = VISIT .. p.visit
  local v = redis.call('HMGET', vkey, 'state', 'report', 'workers', 'checkin_interval_ms')
  if not v[1] then return fail('NOT_FOUND', 'id', 'no such visit') end
  local member = false
  for w in string.gmatch(v[3], '[^,]+') do if w == p.worker then member = true end end
  if not member then return fail('INVALID', 'worker', 'is not one of the visit\'s professionals') end
  -- The caller may say what it read: a check-in decided on an older visit state is refused.
  if given(p.expect_state) and v[1] ~= p.expect_state then
    return fail('CONFLICT', 'visit', 'the visit is ' .. v[1] .. ', not ' .. p.expect_state .. ' as read')
  end
  if v[1] == VS.completed then
    return fail('CONFLICT', 'visit', 'the visit is ' .. v[1])
  end
  redis.call('RPUSH', vkey .. ':checkins', cjson.encode({at = p.now, worker = p.worker, status = p.status}))
  local state = VS.in_progress
  if p.status == 'done' then
    state = VS.completed
    redis.call('ZREM', TIMERS, 'checkin:' .. p.visit)
    redis.call('HSET', vkey, 'completed_at', p.now)
  elseif p.status == 'need_help' then
    state = VS.overdue
    redis.call('ZADD', TIMERS, p.now, 'checkin:' .. p.visit)  -- escalates on the next tick
  else
    redis.call('ZADD', TIMERS, p.now + tonumber(v[4]), 'checkin:' .. p.visit)
  end
  if p.status == 'arrived' then redis.call('HSET', vkey, 'arrived_at', p.now) end
  redis.call('HSET', vkey, 'state', state, 'updated_at', p.now, 'last_checkin', p.now)
  audit(p.now, p.actor, 'visit.checkin', v[2], 'visit=' .. p.visit .. ' worker=' .. p.worker .. ' status=' .. p.status)
  return cjson.encode({visit = p.visit, state = state, report = v[2]})
end

-- What a missed check-in is decided on. ARGV[1]: {visit}. Returns JSON {exists, state, report,
-- workers, team_leads, region, updated_at}.
local function checkin_snapshot(keys, args)
  local p = cjson.decode(args[1])
  local v = redis.call('HMGET', VISIT .. p.visit, 'state', 'report', 'workers', 'updated_at')
  if not v[1] then return cjson.encode({exists = false}) end
  local r = redis.call('HMGET', report_key(v[2]), 'team_leads', 'region')
  local workers = {}
  for w in string.gmatch(v[3] or '', '[^,]+') do workers[#workers + 1] = w end
  return cjson.encode({exists = true, state = v[1], report = v[2], workers = workers,
                       team_leads = r[1] or '[]', region = r[2] or '', updated_at = v[4] or ''})
end

-- Applies a decided check-in escalation: the team leads alerted, the timeline, the next
-- reminder. Refused as a conflict when the visit moved since the read (a check-in in between).
-- ARGV[1]: {visit, now, expect_state, expect_updated, notify: [worker], remind_at, note}
local function escalate_checkin(keys, args)
  local p = cjson.decode(args[1])
  local vkey = VISIT .. p.visit
  local v = redis.call('HMGET', vkey, 'state', 'report', 'updated_at')
  if not v[1] then return fail('NOT_FOUND', 'id', 'no such visit') end
  if v[1] ~= p.expect_state or (v[3] or '') ~= p.expect_updated then
    return fail('CONFLICT', 'visit', 'the visit is ' .. v[1] .. ' and changed since it was read')
  end
  redis.call('HSET', vkey, 'state', VS.overdue, 'updated_at', p.now)
  local r = redis.call('HMGET', report_key(v[2]), 'region', 'class')
  local notify = type(p.notify) == 'table' and p.notify or {}
  for _, lead in ipairs(notify) do
    alert({alert_id = p.visit .. '-overdue-' .. p.now .. '-' .. lead, kind = 'checkin_overdue', worker = lead,
           reference = v[2], region = r[1], urgency = r[2], visit = p.visit})
  end
  audit(p.now, 'dispatcher', 'visit.checkin_overdue', v[2], 'visit=' .. p.visit .. ' ' .. p.note)
  redis.call('ZADD', TIMERS, p.remind_at, 'checkin:' .. p.visit)
  return cjson.encode({visit = p.visit, state = VS.overdue, alerted = #notify})
end

redis.register_function('piket_checkin', checkin)
redis.register_function{function_name = 'piket_checkin_snapshot', flags = {'no-writes'}, callback = checkin_snapshot}
redis.register_function('piket_escalate_checkin', escalate_checkin)
