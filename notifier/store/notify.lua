-- The notifier's record of each alert: every attempt, the outcome, and the XACK of the stream
-- entry in the same step; and the guard that keeps two notifiers from sending one notification
-- at the same time.
local VERSION = '@PIKET_LUA_VERSION@'

local FINAL = {delivered = true, failed = true, cancelled = true}

-- KEYS: delivery, assignment
-- Returns {delivery status or '', assignment state or ''}.
local function alert_status(keys, args)
  return {redis.call('HGET', keys[1], 'status') or '', redis.call('HGET', keys[2], 'state') or ''}
end

-- Before an attempt. KEYS: delivery, assignment, attempts, lease
-- ARGV: notification_id, owner (consumer name), lease_ms, now_ms
-- Returns {delivery status or '', assignment state or '', guard, attempts recorded so far}, guard:
--   'done'  the delivery is final already (delivered, failed, cancelled): do not send
--   'busy'  another notifier holds the lease: it is sending this notification now; do not send
--   'go'    the lease is ours until it expires or the attempt is recorded: send
local function begin_attempt(keys, args)
  local status = redis.call('HGET', keys[1], 'status') or ''
  local state = redis.call('HGET', keys[2], 'state') or ''
  local attempts = redis.call('LLEN', keys[3])
  if FINAL[status] then return {status, state, 'done', attempts} end
  local holder = redis.call('GET', keys[4])
  if holder and holder ~= args[2] then return {status, state, 'busy', attempts} end
  redis.call('SET', keys[4], args[2], 'PX', tonumber(args[3]))
  redis.call('HSET', keys[1], 'notification', args[1], 'sending_by', args[2], 'sending_at', args[4])
  return {status, state, 'go', attempts}
end

-- After an attempt (or instead of one). KEYS: delivery, attempts, alert_stream, lease?
-- ARGV: alert_id, attempt_json, outcome (retry|delivered|failed|cancelled), now_ms, entry_id,
--       group, owner?
-- A final outcome is never overwritten by a later one: a second notifier that got as far as
-- recording learns what the first recorded, and only acknowledges.
local function record_attempt(keys, args)
  local status = redis.call('HGET', keys[1], 'status')
  if keys[4] and args[7] and redis.call('GET', keys[4]) == args[7] then
    redis.call('DEL', keys[4])
  end
  if args[2] ~= '' then redis.call('RPUSH', keys[2], args[2]) end
  if FINAL[status] then
    redis.call('XACK', keys[3], args[6], args[5])
    return status
  end
  redis.call('HSET', keys[1], 'alert', args[1], 'status', args[3], 'updated_at', args[4])
  if args[3] ~= 'retry' then
    redis.call('XACK', keys[3], args[6], args[5])
  end
  return args[3]
end

redis.register_function{function_name = 'piket_notify_version', flags = {'no-writes'},
                        callback = function() return VERSION end}
redis.register_function{function_name = 'piket_alert_status', flags = {'no-writes'},
                        callback = alert_status}
redis.register_function('piket_alert_begin', begin_attempt)
redis.register_function('piket_alert_record', record_attempt)
