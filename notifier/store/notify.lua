#!lua name=piket_notify
-- The notifier's record of each alert: every attempt, the outcome, and the XACK of the stream
-- entry in the same step.
local VERSION = '@PIKET_LUA_VERSION@'

-- KEYS: delivery, assignment
-- Returns {delivery status or '', assignment state or ''}.
local function alert_status(keys, args)
  return {redis.call('HGET', keys[1], 'status') or '', redis.call('HGET', keys[2], 'state') or ''}
end

-- KEYS: delivery, attempts, alert_stream
-- ARGV: alert_id, attempt_json, outcome (retry|delivered|failed|cancelled), now_ms, entry_id, group
local function record_attempt(keys, args)
  if args[2] ~= '' then redis.call('RPUSH', keys[2], args[2]) end
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
redis.register_function('piket_alert_record', record_attempt)
