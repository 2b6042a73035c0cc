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
  for i = 3, #args do
    redis.call('XADD', keys[2], '*', 'alert', args[i])
    -- Kept until the incoming worker acknowledges it.
    local n = cjson.decode(args[i])
    redis.call('HSET', 'piket:handoff:' .. n.alert_id, 'id', n.alert_id, 'worker', n.worker,
               'outgoing', n.outgoing, 'region', n.region, 'role', n.role, 'start', n.start,
               'state', 'sent')
    redis.call('ZADD', 'piket:handoffs', args[2], n.alert_id)
  end
  return #args - 2
end

-- The incoming worker acknowledges a hand-off notice.
-- ARGV: id, worker, now_ms. Returns {state, changed (1|0)}.
local function handoff_ack(keys, args)
  local key = 'piket:handoff:' .. args[1]
  local h = redis.call('HMGET', key, 'worker', 'state')
  if not h[1] then return redis.error_reply('NOT_FOUND id|no such hand-off') end
  if h[1] ~= args[2] then
    return redis.error_reply('INVALID worker|only the incoming worker acknowledges a hand-off')
  end
  if h[2] == 'acknowledged' then return {'acknowledged', 0} end
  redis.call('HSET', key, 'state', 'acknowledged', 'acknowledged_at', args[3])
  redis.call('XADD', 'piket:stream:audit', '*', 'at', args[3], 'actor', args[2],
             'action', 'handoff.acknowledged', 'report', '', 'detail', 'handoff=' .. args[1])
  return {'acknowledged', 1}
end

-- Hand-offs announced since since_ms, newest first. ARGV: since_ms, limit
local function handoff_list(keys, args)
  local out = {}
  for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', 'piket:handoffs', '+inf', args[1], 'LIMIT', 0, tonumber(args[2]))) do
    out[#out + 1] = redis.call('HGETALL', 'piket:handoff:' .. id)
  end
  return out
end

redis.register_function{function_name = 'piket_roster_version', flags = {'no-writes'},
                        callback = function() return VERSION end}
redis.register_function('piket_roster_put', put)
redis.register_function('piket_roster_put_many', put_many)
redis.register_function('piket_roster_handoffs', handoffs)
redis.register_function('piket_handoff_ack', handoff_ack)
redis.register_function{function_name = 'piket_handoff_list', flags = {'no-writes'}, callback = handoff_list}
redis.register_function('piket_roster_remove', remove)
redis.register_function('piket_roster_sequences', sequences)
