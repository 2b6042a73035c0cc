#!lua name=piket_roster
-- Every roster change is one step: the object, the roster version and the audit entry together.
local VERSION = '@PIKET_LUA_VERSION@'

-- KEYS: hash, version, audit_stream
-- ARGV: id, json, now_ms, actor, action, detail
local function put(keys, args)
  redis.call('HSET', keys[1], args[1], args[2])
  local v = redis.call('INCR', keys[2])
  redis.call('XADD', keys[3], '*', 'at', args[3], 'actor', args[4], 'action', args[5],
             'report', '', 'detail', args[6])
  return v
end

-- KEYS: hash, version, audit_stream
-- ARGV: now_ms, actor, action, id, json, id, json, ...
local function put_many(keys, args)
  local n = 0
  for i = 4, #args, 2 do
    redis.call('HSET', keys[1], args[i], args[i + 1])
    n = n + 1
  end
  local v = redis.call('INCR', keys[2])
  redis.call('XADD', keys[3], '*', 'at', args[1], 'actor', args[2], 'action', args[3],
             'report', '', 'detail', 'entries=' .. n)
  return v
end

-- KEYS: hash, version, audit_stream   ARGV: id, now_ms, actor, action
local function remove(keys, args)
  if redis.call('HDEL', keys[1], args[1]) == 0 then
    return redis.error_reply('NOT_FOUND id|no such entry')
  end
  local v = redis.call('INCR', keys[2])
  redis.call('XADD', keys[3], '*', 'at', args[2], 'actor', args[3], 'action', args[4],
             'report', '', 'detail', 'id=' .. args[1])
  return v
end

-- KEYS: sequences   ARGV: uid, fingerprint, uid, fingerprint, ...
-- Returns the SEQUENCE of each event, bumped where its fingerprint changed.
local function sequences(keys, args)
  local out = {}
  for i = 1, #args, 2 do
    local seen = redis.call('HGET', keys[1], args[i])
    local seq = 0
    if seen then
      local bar = string.find(seen, '|', 1, true)
      seq = tonumber(string.sub(seen, 1, bar - 1))
      if string.sub(seen, bar + 1) ~= args[i + 1] then
        seq = seq + 1
        redis.call('HSET', keys[1], args[i], seq .. '|' .. args[i + 1])
      end
    else
      redis.call('HSET', keys[1], args[i], '0|' .. args[i + 1])
    end
    out[#out + 1] = seq
  end
  return out
end

-- Announces shift hand-offs once: only the instance that finds the expected "checked until"
-- moves it on and queues the notices, so several schedulers never send one twice.
-- KEYS: checked_until, alert_stream   ARGV: expected, new, alert_json...
local function handoffs(keys, args)
  local seen = redis.call('GET', keys[1]) or ''
  if seen ~= args[1] then return -1 end
  redis.call('SET', keys[1], args[2])
  for i = 3, #args do redis.call('XADD', keys[2], '*', 'alert', args[i]) end
  return #args - 2
end

redis.register_function{function_name = 'piket_roster_version', flags = {'no-writes'},
                        callback = function() return VERSION end}
redis.register_function('piket_roster_put', put)
redis.register_function('piket_roster_put_many', put_many)
redis.register_function('piket_roster_handoffs', handoffs)
redis.register_function('piket_roster_remove', remove)
redis.register_function('piket_roster_sequences', sequences)
