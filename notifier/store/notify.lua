-- The notifier's record of each alert and of each notification (the alert sent to one contact
-- method): every attempt, each notification's outcome, the alert's outcome with the XACK of its
-- stream entry in the same step; the guard that keeps two notifiers from sending one
-- notification at the same time; and the check of a contact method's verification code.
local VERSION = '@PIKET_LUA_VERSION@'

local FINAL = {delivered = true, failed = true, cancelled = true}

-- KEYS: delivery, assignment
-- Returns {delivery status or '', assignment state or ''}.
local function alert_status(keys, args)
  return {redis.call('HGET', keys[1], 'status') or '', redis.call('HGET', keys[2], 'state') or ''}
end

-- When the alert was first taken (Unix ms): the rules' delays count from it, also after a
-- restart or on another notifier. KEYS: delivery; ARGV: now_ms, alert_id
local function planned_at(keys, args)
  if redis.call('HSETNX', keys[1], 'planned_at', args[1]) == 1 then
    redis.call('HSET', keys[1], 'alert', args[2])
  end
  return tonumber(redis.call('HGET', keys[1], 'planned_at'))
end

-- Before an attempt. KEYS: notification, assignment, lease
-- ARGV: notification_id, owner (consumer name), lease_ms, now_ms, alert_id, channel, method
-- Returns {notification status or '', assignment state or '', guard, attempts made so far}:
--   'done'  the notification is final already (delivered, failed, cancelled): do not send
--   'busy'  another notifier holds the lease: it is sending this notification now; do not send
--   'go'    the lease is ours until it expires or the attempt is recorded: send
local function begin_attempt(keys, args)
  local status = redis.call('HGET', keys[1], 'status') or ''
  local state = redis.call('HGET', keys[2], 'state') or ''
  local attempts = tonumber(redis.call('HGET', keys[1], 'attempts') or '0')
  if FINAL[status] then return {status, state, 'done', attempts} end
  local holder = redis.call('GET', keys[3])
  if holder and holder ~= args[2] then return {status, state, 'busy', attempts} end
  redis.call('SET', keys[3], args[2], 'PX', tonumber(args[3]))
  redis.call('HSET', keys[1], 'alert', args[5], 'channel', args[6], 'method', args[7],
             'sending_by', args[2], 'sending_at', args[4])
  return {status, state, 'go', attempts}
end

-- After an attempt (or instead of one). KEYS: notification, attempts (the alert's), lease?
-- ARGV: attempt_json ('' when no attempt was made), outcome (retry|delivered|failed|cancelled),
--       now_ms, owner?
-- A final outcome is never overwritten by a later one: a second notifier that got as far as
-- recording learns what the first recorded.
local function record_attempt(keys, args)
  local status = redis.call('HGET', keys[1], 'status')
  if keys[3] and args[4] and redis.call('GET', keys[3]) == args[4] then
    redis.call('DEL', keys[3])
  end
  if args[1] ~= '' then
    redis.call('RPUSH', keys[2], args[1])
    redis.call('HINCRBY', keys[1], 'attempts', 1)
  end
  if FINAL[status] then return status end
  redis.call('HSET', keys[1], 'status', args[2], 'updated_at', args[3])
  return args[2]
end

-- The alert is done: every notification of its plan is final (or it was not readable, or had
-- no method). KEYS: delivery, alert_stream, attempts
-- ARGV: alert_id, outcome, now_ms, entry_id, group, note_json ('' for none)
local function finish_alert(keys, args)
  if args[6] ~= '' then redis.call('RPUSH', keys[3], args[6]) end
  local status = redis.call('HGET', keys[1], 'status')
  if not FINAL[status] then
    redis.call('HSET', keys[1], 'alert', args[1], 'status', args[2], 'updated_at', args[3])
    status = args[2]
  end
  redis.call('XACK', keys[2], args[5], args[4])
  return status
end

-- A verification code entered back. KEYS: code, contact methods
-- ARGV: method_id, code_hash, now_ms, max_attempts, verified_at (text)
-- Returns ok | wrong | expired | too_many | none. Only a hash of the code is ever stored; a
-- wrong code counts against the method, and the last allowed one ends the code.
local function verify_code(keys, args)
  local stored = redis.call('HMGET', keys[1], 'hash', 'expires_ms', 'attempts')
  if not stored[1] then return 'none' end
  if tonumber(stored[2]) <= tonumber(args[3]) then
    redis.call('DEL', keys[1])
    return 'expired'
  end
  local attempts = tonumber(stored[3] or '0')
  if attempts >= tonumber(args[4]) then return 'too_many' end
  if stored[1] ~= args[2] then
    redis.call('HINCRBY', keys[1], 'attempts', 1)
    return 'wrong'
  end
  redis.call('DEL', keys[1])
  local raw = redis.call('HGET', keys[2], args[1])
  if not raw then return 'none' end
  local method = cjson.decode(raw)
  method.verified = true
  method.verified_at = args[5]
  redis.call('HSET', keys[2], args[1], cjson.encode(method))
  return 'ok'
end

-- A provider's delivery receipt for one notification. KEYS: notification, attempts (its alert's)
-- ARGV: status (delivered|failed|other), provider status, now_ms, log entry (JSON)
-- A final receipt is kept: a late "sent" after "delivered" does not undo it.
local function record_receipt(keys, args)
  local before = redis.call('HGET', keys[1], 'receipt')
  redis.call('RPUSH', keys[2], args[4])
  if before == 'delivered' or before == 'failed' then return before end
  redis.call('HSET', keys[1], 'receipt', args[1], 'receipt_status', args[2], 'receipt_at', args[3])
  return args[1]
end

-- The receipt of a code or test sent to a contact method, onto the method as it is now (it may
-- have been verified since the send began). KEYS: contact methods
-- ARGV: method_id, field (last_code|last_test), receipt (JSON). Returns 0 when the method is gone.
local function contact_receipt(keys, args)
  local raw = redis.call('HGET', keys[1], args[1])
  if not raw then return 0 end
  if args[2] ~= 'last_code' and args[2] ~= 'last_test' then return redis.error_reply('INVALID field') end
  local method = cjson.decode(raw)
  method[args[2]] = cjson.decode(args[3])
  redis.call('HSET', keys[1], args[1], cjson.encode(method))
  return 1
end

redis.register_function{function_name = 'piket_notify_version', flags = {'no-writes'},
                        callback = function() return VERSION end}
redis.register_function{function_name = 'piket_alert_status', flags = {'no-writes'},
                        callback = alert_status}
redis.register_function('piket_alert_planned_at', planned_at)
redis.register_function('piket_alert_begin', begin_attempt)
redis.register_function('piket_alert_record', record_attempt)
redis.register_function('piket_alert_finish', finish_alert)
redis.register_function('piket_contact_verify', verify_code)
redis.register_function('piket_contact_receipt', contact_receipt)
redis.register_function('piket_notification_receipt', record_receipt)
