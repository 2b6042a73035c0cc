-- Deadlines: ladder steps, re-matching, check-ins and notices, claimed exactly once.

-- How long a claimed timer whose change is decided by the caller is held for it.
local DECIDE_LEASE_MS = 30000
-- A ladder step is decided within milliseconds; a dispatcher that died meanwhile costs this.
local STEP_LEASE_MS = 5000

-- Claims every deadline that has passed, atomically, so each fires exactly once even with
-- several dispatchers. ARGV: now_ms, limit.
-- Returns {members that fired, how late each fired (ms), the next deadline or '', members
-- for the caller to decide (ladder steps, check-ins), held for a lease, how late each of those
-- was claimed (ms)}.
local function claim_due(keys, args)
  local now = tonumber(args[1])
  local due = redis.call('ZRANGEBYSCORE', TIMERS, '-inf', args[1], 'WITHSCORES', 'LIMIT', 0, tonumber(args[2]))
  local fired, lateness, decide, decide_late = {}, {}, {}, {}
  for i = 1, #due, 2 do
    local member = due[i]
    local before = #fired
    redis.call('ZREM', TIMERS, member)
    local ok, err = pcall(function()
      local kind, id = string.match(member, '^(%a+):(.+)$')
      if kind == 'step' then
        -- The step is decided in C++ (dispatcher/matching/ladder_step.cpp) and applied by
        -- piket_apply_step, which sets the next timer; meanwhile this one is held for
        -- STEP_LEASE_MS, so it fires again if that dispatcher dies before applying.
        local r = redis.call('HMGET', report_key(id), 'state', 'next_step')
        if r[1] == RS.alerting and r[2] and r[2] ~= '' then
          redis.call('ZADD', TIMERS, now + STEP_LEASE_MS, member)
          redis.call('SADD', DECIDING, member)
          decide[#decide + 1] = member
        else
          redis.call('SREM', DECIDING, member)
        end
      elseif kind == 'rematch' then
        if redis.call('HGET', report_key(id), 'state') == RS.unassigned then
          set_report(id, now, 'state', RS.matching)
          match_job(id, 'rematch')
          fired[#fired + 1] = member
        end
      elseif kind == 'checkin' then
        -- A missed check-in is decided in C++ (dispatcher/visits/checkin_escalation.cpp) and
        -- applied by piket_escalate_checkin; meanwhile the timer is held for DECIDE_LEASE_MS,
        -- so it fires again if that dispatcher dies before applying.
        local state = redis.call('HGET', VISIT .. id, 'state')
        if state and state ~= VS.completed then
          redis.call('ZADD', TIMERS, now + DECIDE_LEASE_MS, member)
          decide[#decide + 1] = member
        end
      elseif kind == 'notice' then
        -- Who is paged is decided in C++ (dispatcher/notices/deadline_notice.cpp) and applied
        -- by piket_fire_notice; meanwhile the timer is held for DECIDE_LEASE_MS.
        local report_id = string.match(id, '^([^:]+):.+$')
        local state = report_id and redis.call('HGET', report_key(report_id), 'state')
        if state and state ~= RS.closed and state ~= RS.referred then
          redis.call('ZADD', TIMERS, now + DECIDE_LEASE_MS, member)
          redis.call('SADD', DECIDING, member)
          decide[#decide + 1] = member
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
    if #decide > #decide_late then decide_late[#decide_late + 1] = now - tonumber(due[i + 1]) end
  end
  local next_due = redis.call('ZRANGE', TIMERS, 0, 0, 'WITHSCORES')
  return {fired, lateness, next_due[2] or '', decide, decide_late}
end

redis.register_function('piket_claim_due', claim_due)

-- What a fired deadline notice is decided on. ARGV[1]: {report}. Returns JSON {exists, state,
-- rev, region, class, owners: [worker], visit_state}.
local function notice_snapshot(keys, args)
  local p = cjson.decode(args[1])
  local r = redis.call('HMGET', report_key(p.report), 'state', 'rev', 'region', 'class', 'visit')
  if not r[1] then return cjson.encode({exists = false}) end
  local owners, seen = {}, {}
  local function own(w)
    if w and w ~= '' and not seen[w] then seen[w] = true; owners[#owners + 1] = w end
  end
  for _, aid in ipairs(assignments_of(p.report)) do
    local a = redis.call('HMGET', ASSIGNMENT .. aid, 'state', 'worker')
    if a[1] == AS.accepted then own(a[2]) end
  end
  local visit_state = ''
  if r[5] and r[5] ~= '' then
    local v = redis.call('HMGET', VISIT .. r[5], 'state', 'workers')
    visit_state = v[1] or ''
    for w in string.gmatch(v[2] or '', '[^,]+') do own(w) end
  end
  return cjson.encode({exists = true, state = r[1], rev = tonumber(r[2]) or 0, region = r[3] or '',
                       class = r[4] or '', owners = owners, visit_state = visit_state})
end

-- Applies a decided deadline notice: on the report's notices and timeline, the pages (one alert
-- id per report, notice and worker, so a notice decided twice pages nobody twice), the timer
-- done. Refused as a conflict when the report moved since the read.
-- ARGV[1]: {report, label, now, expect: {state, rev}, page: [worker], note}
local function fire_notice(keys, args)
  local p = cjson.decode(args[1])
  local member = 'notice:' .. p.report .. ':' .. p.label
  local rkey = report_key(p.report)
  local r = redis.call('HMGET', rkey, 'state', 'region', 'class')
  if not r[1] then
    redis.call('ZREM', TIMERS, member)
    redis.call('SREM', DECIDING, member)
    return fail('NOT_FOUND', 'report', 'no such report')
  end
  local conflict = stale(p.report, p.expect)
  if conflict then return conflict end
  local page = type(p.page) == 'table' and p.page or {}
  if r[1] ~= RS.closed and r[1] ~= RS.referred then
    redis.call('RPUSH', REPORT .. p.report .. ':notices', cjson.encode({at = p.now, notice = p.label}))
    for _, worker in ipairs(page) do
      alert({alert_id = 'notice-' .. p.report .. '-' .. p.label .. '-' .. worker, kind = 'deadline',
             notice = p.label, worker = worker, reference = p.report, region = r[2], urgency = r[3]})
    end
    audit(p.now, 'dispatcher', 'deadline.' .. p.label, p.report, 'state=' .. r[1] .. ' ' .. str(p.note))
  end
  redis.call('ZREM', TIMERS, member)
  redis.call('SREM', DECIDING, member)
  return cjson.encode({report = p.report, notice = p.label, paged = #page})
end

redis.register_function{function_name = 'piket_notice_snapshot', flags = {'no-writes'}, callback = notice_snapshot}
redis.register_function('piket_fire_notice', fire_notice)
