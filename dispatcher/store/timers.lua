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
        local report_id, label = string.match(id, '^([^:]+):(.+)$')
        local state = report_id and redis.call('HGET', report_key(report_id), 'state')
        if state and state ~= RS.closed and state ~= RS.referred then
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
    if #decide > #decide_late then decide_late[#decide_late + 1] = now - tonumber(due[i + 1]) end
  end
  local next_due = redis.call('ZRANGE', TIMERS, 0, 0, 'WITHSCORES')
  return {fired, lateness, next_due[2] or '', decide, decide_late}
end

redis.register_function('piket_claim_due', claim_due)
