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
local DECIDING = 'piket:timers:deciding'
local MATCH = 'piket:stream:match'
local MATCH_GROUP = 'dispatchers'
local ALERTS = 'piket:stream:alerts'
local ACCESS_FLAGGED = 'piket:access:flagged'            -- break-glass reads to review
local ACCESS_FLAGS_CLOSED = 'piket:access:flags:closed'  -- reviewed: who closed them, why
local AUDIT = 'piket:stream:audit'
local ACCESS = 'piket:stream:access'
local INDEX = 'piket:reports'
-- Open reports (queued to visit_planned), for every region and per region (OPEN .. ':' ..
-- region), scored by creation time: the desk's queue and the hand-offs read these.
local OPEN = 'piket:reports:open'
local OPEN_INDEXED = 'piket:reports:open-indexed'  -- set once the index holds every stored report
-- Call-outs for the working-time rule, scored by the work's start, member
-- "worker|assignment|end_ms" (common/domain/call_outs.hpp reads them); kept four weeks.
local CALLOUTS = 'piket:callouts'
local CALLOUTS_KEPT_MS = 28 * 24 * 3600 * 1000

-- The states, as common/domain/states.hpp names them (tests/unit/test_lua_states.cpp keeps the
-- two equal); no other file spells a state.
local RS = {advice = 'advice', converted = 'converted', queued = 'queued', matching = 'matching',
            alerting = 'alerting', unassigned = 'unassigned', accepted = 'accepted',
            visit_planned = 'visit_planned', closed = 'closed', referred = 'referred'}
local AS = {alerted = 'alerted', accepted = 'accepted', declined = 'declined', cancelled = 'cancelled'}
local VS = {planned = 'planned', in_progress = 'in_progress', overdue = 'overdue', completed = 'completed'}
-- An advice contact's kind and its state share one name.
local KIND_ADVICE = RS.advice

-- JSON null arrives as cjson.null: text fields read through this.
local function str(value) if type(value) == 'string' then return value end return '' end

local function fail(kind, field, message) return redis.error_reply(kind .. ' ' .. field .. '|' .. message) end

-- The audit stream for everything; the report's own timeline for the operator's view.
local function audit(at, actor, action, report_id, detail)
  chained_xadd(AUDIT, {'at', tostring(at), 'actor', actor, 'action', action, 'report', report_id,
                       'detail', detail})
  redis.call('RPUSH', REPORT .. report_id .. ':timeline',
             cjson.encode({at = tonumber(at), actor = actor, action = action, detail = detail}))
end

-- Stream entries carry the envelope's version and type (common/redis/stream_consumer.hpp).
local function alert(fields)
  redis.call('XADD', ALERTS, '*', 'v', '1', 'type', 'alert', 'alert', cjson.encode(fields))
end
local function match_job(report_id, reason)
  redis.call('XADD', MATCH, '*', 'v', '1', 'type', 'match.job', 'report', report_id, 'reason', reason)
end

local function report_key(id) return REPORT .. id end

-- A worker's open call-outs (alerted, not yet answered) count as load when other reports are
-- ranked, so reports arriving together are spread over the workers on call.
local function close_callout(aid)
  local worker = redis.call('HGET', ASSIGNMENT .. aid, 'worker')
  if worker then redis.call('ZREM', WORKER .. worker .. ':open', aid) end
end

local function cancel_open_assignments(report_id, now)
  for _, aid in ipairs(redis.call('LRANGE', REPORT .. report_id .. ':assignments', 0, -1)) do
    if redis.call('HGET', ASSIGNMENT .. aid, 'state') == AS.alerted then
      redis.call('HSET', ASSIGNMENT .. aid, 'state', AS.cancelled, 'updated_at', now)
      close_callout(aid)
    end
  end
end
local function assignments_of(id) return redis.call('LRANGE', REPORT .. id .. ':assignments', 0, -1) end

-- Every change of a report bumps its revision, so a change decided on an older read is refused.
local function set_report(id, now, ...)
  redis.call('HSET', REPORT .. id, 'updated_at', now, ...)
  redis.call('HINCRBY', REPORT .. id, 'rev', 1)
end

local OPEN_STATES = {[RS.queued] = true, [RS.matching] = true, [RS.alerting] = true,
                     [RS.unassigned] = true, [RS.accepted] = true, [RS.visit_planned] = true}
local function is_open(state) return OPEN_STATES[state] == true end

-- The open-reports index follows the report's state: in from intake, out when it closes.
local function index_open(id, region, created_at)
  redis.call('ZADD', OPEN .. ':' .. region, created_at, id)
  redis.call('ZADD', OPEN, created_at, id)
end
local function unindex_open(id, region)
  redis.call('ZREM', OPEN .. ':' .. region, id)
  redis.call('ZREM', OPEN, id)
end

local function given(value) return value ~= nil and value ~= cjson.null end

-- A decided change carries what its decision was based on (`expect`: the report's state, its
-- matching round and its revision, as the caller read them). When something moved in between,
-- the change is refused as a conflict before anything is written; the caller reads again and
-- decides again. Returns an error reply, or nil when the report is as expected.
local function stale(id, expect)
  if type(expect) ~= 'table' then return nil end
  local f = redis.call('HMGET', REPORT .. id, 'state', 'round', 'rev')
  if given(expect.state) and f[1] ~= expect.state then
    return fail('CONFLICT', 'state', 'the report is ' .. tostring(f[1]) .. ', not ' .. expect.state .. ' as read')
  end
  if given(expect.round) and (tonumber(f[2]) or 0) ~= tonumber(expect.round) then
    return fail('CONFLICT', 'round', 'the report is in matching round ' .. (f[2] or '0') .. ', not ' ..
                expect.round .. ' as read')
  end
  if given(expect.rev) and (tonumber(f[3]) or 0) ~= tonumber(expect.rev) then
    return fail('CONFLICT', 'rev', 'the report changed since it was read')
  end
  return nil
end

redis.register_function{function_name = 'piket_dispatch_version', flags = {'no-writes'},
                        callback = function() return VERSION end}

-- Records (or moves) the work of an accepted call-out: the assignment keeps its member, so a
-- visit planned later replaces the first estimate instead of adding a second call-out.
local function record_call_out(aid, worker, start, finish, now)
  local akey = ASSIGNMENT .. aid
  local old = redis.call('HGET', akey, 'call_out')
  if old then redis.call('ZREM', CALLOUTS, old) end
  local member = worker .. '|' .. aid .. '|' .. math.floor(finish)
  redis.call('ZADD', CALLOUTS, math.floor(start), member)
  redis.call('HSET', akey, 'call_out', member)
  redis.call('ZREMRANGEBYSCORE', CALLOUTS, '-inf', '(' .. (now - CALLOUTS_KEPT_MS))
end
