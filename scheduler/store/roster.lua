-- The scheduler's roster in Redis: its changes (one step each: the entries, the version and the
-- audit entry together), its hand-off notices and the iCal feeds' sequence numbers.
local VERSION = '@PIKET_LUA_VERSION@'

-- Every roster change is decided by the scheduler against the roster at a version; it is
-- written only if the roster is still at that version, so a change decided on a stale copy
-- (another request, another scheduler) is answered with a conflict and decided again.
-- KEYS: version, audit_stream, rotations, overrides, leave, swaps, alert_stream
-- ARGV: expected_version, now_ms, actor, action, detail, then per entry: op ('put' | 'del' |
--       'page'), part (1 rotations, 2 overrides, 3 leave, 4 swaps; 0 for a page), id, json
--       ('' for del; the alert for a page)
-- Returns the new version.
local function change(keys, args)
  local current = tonumber(redis.call('GET', keys[1]) or '0')
  if current ~= tonumber(args[1]) then
    return redis.error_reply('CONFLICT version|the roster changed meanwhile (now version ' .. current .. ')')
  end
  -- Every removal must find its entry before anything is written: all or nothing.
  for i = 6, #args, 4 do
    if args[i] == 'del' and redis.call('HEXISTS', keys[2 + tonumber(args[i + 1])], args[i + 2]) == 0 then
      return redis.error_reply('NOT_FOUND id|no such entry')
    end
  end
  for i = 6, #args, 4 do
    local hash = keys[2 + tonumber(args[i + 1])]
    if args[i] == 'put' then
      redis.call('HSET', hash, args[i + 2], args[i + 3])
    elseif args[i] == 'del' then
      redis.call('HDEL', hash, args[i + 2])
    end
  end
  local v = redis.call('INCR', keys[1])
  chained_xadd(keys[2], {'at', args[2], 'actor', args[3], 'action', args[4], 'report', '',
                         'detail', args[5]})
  for i = 6, #args, 4 do
    if args[i] == 'page' then redis.call('XADD', keys[7], '*', 'v', '1', 'type', 'alert', 'alert', args[i + 3]) end
  end
  return v
end

-- Queues alerts (coverage gaps a change of the workers opened). KEYS: alert_stream
-- ARGV: alert_json...
local function page(keys, args)
  for i = 1, #args do redis.call('XADD', keys[1], '*', 'v', '1', 'type', 'alert', 'alert', args[i]) end
  return #args
end

-- The roster and its version read in one step, so the version names exactly what was read.
-- KEYS: version, rotations, overrides, leave, swaps
-- Returns {version, rotations, overrides, leave, swaps} (each hash as HGETALL gives it).
local function snapshot(keys)
  return {tonumber(redis.call('GET', keys[1]) or '0'), redis.call('HGETALL', keys[2]),
          redis.call('HGETALL', keys[3]), redis.call('HGETALL', keys[4]),
          redis.call('HGETALL', keys[5])}
end

-- iCal feeds, each under the SHA-256 of its secret token (the URL is the secret, so Redis never
-- holds it) with its id, target and maker as JSON. A rotation takes the target's other feeds
-- away in the same step. A value that is not JSON is a bare target (a feed made before ids).
local function feed_target(value)
  local ok, f = pcall(cjson.decode, value)
  if ok and type(f) == 'table' then return f['for'] end
  return value
end

-- KEYS: feeds, audit_stream   ARGV: token_hash, feed_json, target, rotate ('1' | '0'), now_ms, actor
-- Returns how many feeds the rotation revoked.
local function ical_feed_put(keys, args)
  local revoked = 0
  if args[4] == '1' then
    local all = redis.call('HGETALL', keys[1])
    for i = 1, #all, 2 do
      if feed_target(all[i + 1]) == args[3] then
        redis.call('HDEL', keys[1], all[i])
        revoked = revoked + 1
      end
    end
  end
  redis.call('HSET', keys[1], args[1], args[2])
  chained_xadd(keys[2], {'at', args[5], 'actor', args[6], 'action', 'roster.ical.created', 'report', '',
                         'detail', 'for=' .. args[3] .. ' revoked=' .. revoked})
  return revoked
end

-- KEYS: feeds, audit_stream   ARGV: token_hash, now_ms, actor
local function ical_feed_revoke(keys, args)
  local value = redis.call('HGET', keys[1], args[1])
  if not value then return redis.error_reply('NOT_FOUND id|no such feed') end
  redis.call('HDEL', keys[1], args[1])
  chained_xadd(keys[2], {'at', args[2], 'actor', args[3], 'action', 'roster.ical.revoked', 'report', '',
                         'detail', 'for=' .. feed_target(value)})
  return 1
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
    redis.call('XADD', keys[2], '*', 'v', '1', 'type', 'alert', 'alert', args[i])
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
  chained_xadd('piket:stream:audit', {'at', args[3], 'actor', args[2], 'action',
                                      'handoff.acknowledged', 'report', '', 'detail',
                                      'handoff=' .. args[1]})
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
redis.register_function('piket_roster_change', change)
redis.register_function{function_name = 'piket_roster_snapshot', flags = {'no-writes'}, callback = snapshot}
redis.register_function('piket_roster_handoffs', handoffs)
redis.register_function('piket_roster_page', page)
redis.register_function('piket_handoff_ack', handoff_ack)
redis.register_function{function_name = 'piket_handoff_list', flags = {'no-writes'}, callback = handoff_list}
redis.register_function('piket_roster_sequences', sequences)
redis.register_function('piket_ical_feed_put', ical_feed_put)
redis.register_function('piket_ical_feed_revoke', ical_feed_revoke)
