#!lua name=piket_dispatch
-- Every state change of a report is one function: state, audit entry and follow-up work
-- (and the XACK of the input) together, so a crash between two steps leaves nothing half done.
-- Errors start with CONFLICT / NOT_FOUND / INVALID and "field|message" for the API.

local VERSION = '@PIKET_LUA_VERSION@'

local function audit(stream, at, actor, action, report_id, detail)
  redis.call('XADD', stream, '*', 'at', at, 'actor', actor, 'action', action,
             'report', report_id, 'detail', detail)
end

-- KEYS: idem, report, reports_index, match_stream, audit_stream
-- ARGV: report_id, fingerprint, report_json, triage_json, now_ms, region, dispatch(1|0),
--       state, actor, triage_class, municipality
local function submit_report(keys, args)
  local seen = redis.call('HGET', keys[1], 'report')
  if seen then
    if redis.call('HGET', keys[1], 'fingerprint') ~= args[2] then
      return redis.error_reply('CONFLICT Idempotency-Key|this key was already used for a different report')
    end
    return {seen, 0}
  end
  redis.call('HSET', keys[2], 'id', args[1], 'report', args[3], 'triage', args[4],
             'state', args[8], 'region', args[6], 'municipality', args[11],
             'class', args[10], 'created_at', args[5], 'updated_at', args[5])
  redis.call('HSET', keys[1], 'report', args[1], 'fingerprint', args[2])
  redis.call('PEXPIRE', keys[1], 7 * 24 * 3600 * 1000)
  redis.call('ZADD', keys[3], args[5], args[1])
  audit(keys[5], args[5], args[9], 'report.created', args[1], 'class=' .. args[10] .. ' state=' .. args[8])
  if args[7] == '1' then
    redis.call('XADD', keys[4], '*', 'report', args[1], 'reason', 'new')
  end
  return {args[1], 1}
end

-- KEYS: report, report_assignments
-- Returns {state, region, triage_json, municipality, worker_id...} (the workers already
-- alerted, in order).
local function match_context(keys, args)
  local fields = redis.call('HMGET', keys[1], 'state', 'region', 'triage', 'municipality')
  if not fields[1] then return {} end
  local out = {fields[1], fields[2], fields[3], fields[4]}
  local prefix = args[1]
  for _, aid in ipairs(redis.call('LRANGE', keys[2], 0, -1)) do
    out[#out + 1] = redis.call('HGET', prefix .. aid, 'worker') or ''
  end
  return out
end

local function matchable(state) return state == 'matching' or state == 'unassigned' end

-- KEYS: report, assignment, report_assignments, alert_stream, timers, match_stream, audit_stream
-- ARGV: report_id, assignment_id, worker_id, deadline_ms, now_ms, match_entry_id, match_group,
--       alert_json, candidates_json, position, reason, actor
local function assign(keys, args)
  local state = redis.call('HGET', keys[1], 'state')
  redis.call('XACK', keys[6], args[7], args[6])
  if not matchable(state) then return 'skipped' end  -- a repeated job: already done
  redis.call('HSET', keys[2], 'id', args[2], 'report', args[1], 'worker', args[3],
             'state', 'alerted', 'deadline', args[4], 'created_at', args[5], 'updated_at', args[5],
             'position', args[10], 'reason', args[11], 'candidates', args[9])
  redis.call('RPUSH', keys[3], args[2])
  redis.call('HSET', keys[1], 'state', 'alerted', 'assignment', args[2], 'updated_at', args[5])
  redis.call('XADD', keys[4], '*', 'alert', args[8])
  redis.call('ZADD', keys[5], args[4], 'ack:' .. args[2])
  audit(keys[7], args[5], args[12], 'assignment.alerted', args[1],
        'assignment=' .. args[2] .. ' worker=' .. args[3] .. ' reason=' .. args[11])
  return 'assigned'
end

-- Nobody on call to alert: record the gap and try again later.
-- KEYS: report, timers, match_stream, audit_stream
-- ARGV: report_id, retry_at_ms, now_ms, match_entry_id, match_group, reason, actor
local function no_candidate(keys, args)
  local state = redis.call('HGET', keys[1], 'state')
  redis.call('XACK', keys[3], args[5], args[4])
  if not matchable(state) then return 'skipped' end
  redis.call('HSET', keys[1], 'state', 'unassigned', 'updated_at', args[3])
  redis.call('ZADD', keys[2], args[2], 'rematch:' .. args[1])
  audit(keys[4], args[3], args[7], 'coverage.gap', args[1], args[6])
  return 'unassigned'
end

-- A job for a report that no longer needs matching.
-- KEYS: match_stream   ARGV: match_entry_id, match_group
local function drop_job(keys, args)
  return redis.call('XACK', keys[1], args[2], args[1])
end

-- KEYS: assignment, report, timers, audit_stream
-- ARGV: assignment_id, now_ms, actor
local function accept(keys, args)
  local a = redis.call('HMGET', keys[1], 'state', 'report', 'worker')
  if not a[1] then return redis.error_reply('NOT_FOUND assignment|no such assignment') end
  if a[1] == 'accepted' then return {'accepted', a[2], a[3], 0} end
  if a[1] ~= 'alerted' then
    return redis.error_reply('CONFLICT assignment|the assignment is ' .. a[1] .. ', it can no longer be accepted')
  end
  redis.call('HSET', keys[1], 'state', 'accepted', 'accepted_at', args[2], 'updated_at', args[2])
  redis.call('HSET', keys[2], 'state', 'accepted', 'updated_at', args[2])
  redis.call('ZREM', keys[3], 'ack:' .. args[1])
  audit(keys[4], args[2], args[3], 'assignment.accepted', a[2], 'assignment=' .. args[1] .. ' worker=' .. a[3])
  return {'accepted', a[2], a[3], 1}
end

-- KEYS: assignment, report, timers, match_stream, audit_stream
-- ARGV: assignment_id, now_ms, actor, reason
local function decline(keys, args)
  local a = redis.call('HMGET', keys[1], 'state', 'report', 'worker')
  if not a[1] then return redis.error_reply('NOT_FOUND assignment|no such assignment') end
  if a[1] == 'declined' then return {'declined', a[2], a[3], 0} end
  if a[1] ~= 'alerted' then
    return redis.error_reply('CONFLICT assignment|the assignment is ' .. a[1] .. ', it can no longer be declined')
  end
  redis.call('HSET', keys[1], 'state', 'declined', 'declined_at', args[2], 'updated_at', args[2])
  redis.call('HSET', keys[2], 'state', 'matching', 'updated_at', args[2])
  redis.call('ZREM', keys[3], 'ack:' .. args[1])
  redis.call('XADD', keys[4], '*', 'report', a[2], 'reason', 'declined')
  audit(keys[5], args[2], args[3], 'assignment.declined', a[2],
        'assignment=' .. args[1] .. ' worker=' .. a[3] .. ' reason=' .. args[4])
  return {'declined', a[2], a[3], 1}
end

-- Claims every deadline that has passed, atomically, so each fires exactly once even with
-- several dispatchers. KEYS: timers, match_stream, audit_stream
-- ARGV: now_ms, limit, report_prefix, assignment_prefix, actor
local function claim_due(keys, args)
  local due = redis.call('ZRANGEBYSCORE', keys[1], '-inf', args[1], 'LIMIT', 0, tonumber(args[2]))
  local fired = {}
  for _, member in ipairs(due) do
    redis.call('ZREM', keys[1], member)
    local kind, id = string.match(member, '^(%a+):(.+)$')
    if kind == 'ack' then
      local akey = args[4] .. id
      local a = redis.call('HMGET', akey, 'state', 'report', 'worker')
      if a[1] == 'alerted' then
        redis.call('HSET', akey, 'state', 'expired', 'updated_at', args[1])
        redis.call('HSET', args[3] .. a[2], 'state', 'matching', 'updated_at', args[1])
        redis.call('XADD', keys[2], '*', 'report', a[2], 'reason', 'timeout')
        audit(keys[3], args[1], args[5], 'assignment.expired', a[2],
              'assignment=' .. id .. ' worker=' .. a[3])
        fired[#fired + 1] = member
      end
    elseif kind == 'rematch' then
      local rkey = args[3] .. id
      if redis.call('HGET', rkey, 'state') == 'unassigned' then
        redis.call('HSET', rkey, 'state', 'matching', 'updated_at', args[1])
        redis.call('XADD', keys[2], '*', 'report', id, 'reason', 'rematch')
        fired[#fired + 1] = member
      end
    end
  end
  return fired
end

-- The operator's view of a report, with its assignments; the read is logged.
-- KEYS: report, report_assignments, access_stream
-- ARGV: now_ms, actor, purpose, assignment_prefix, report_id
local function read_report(keys, args)
  local r = redis.call('HGETALL', keys[1])
  if #r == 0 then return redis.error_reply('NOT_FOUND report|no such report') end
  redis.call('XADD', keys[3], '*', 'at', args[1], 'actor', args[2], 'report', args[5],
             'purpose', args[3])
  local assignments = {}
  for _, aid in ipairs(redis.call('LRANGE', keys[2], 0, -1)) do
    assignments[#assignments + 1] = redis.call('HGETALL', args[4] .. aid)
  end
  return {r, assignments}
end

-- The reports of a region that are still open (every state until closing exists), newest
-- first, for hand-off notices. KEYS: reports_index   ARGV: region, since_ms, report_prefix, limit
local function open_reports(keys, args)
  local out = {}
  local ids = redis.call('ZREVRANGEBYSCORE', keys[1], '+inf', args[2], 'LIMIT', 0, 5000)
  for _, id in ipairs(ids) do
    local r = redis.call('HMGET', args[3] .. id, 'region', 'state')
    if r[1] == args[1] and r[2] ~= 'closed' and r[2] ~= 'referred' then
      out[#out + 1] = id
      if #out >= tonumber(args[4]) then break end
    end
  end
  return out
end

redis.register_function{function_name = 'piket_dispatch_version', flags = {'no-writes'},
                        callback = function() return VERSION end}
redis.register_function('piket_submit_report', submit_report)
redis.register_function{function_name = 'piket_match_context', flags = {'no-writes'},
                        callback = match_context}
redis.register_function('piket_assign', assign)
redis.register_function('piket_no_candidate', no_candidate)
redis.register_function('piket_drop_job', drop_job)
redis.register_function('piket_accept', accept)
redis.register_function('piket_decline', decline)
redis.register_function('piket_claim_due', claim_due)
redis.register_function('piket_read_report', read_report)
redis.register_function{function_name = 'piket_open_reports', flags = {'no-writes'},
                        callback = open_reports}
