-- Every change to workers and teams is one step: the record, the workers version (the
-- dispatcher and the notifier read them again when it moves) and the audit entry together.
local VERSION = '@PIKET_LUA_VERSION@'

-- The first start: config/'s workers and teams become the stored ones, once. Returns 0 when
-- they were stored before (by this scheduler or another), else the number of records.
-- KEYS: workers, teams, version, audit_stream
-- ARGV: now_ms, worker_count, id, json, ... (workers first, then teams)
local function seed(keys, args)
  if redis.call('EXISTS', keys[3]) == 1 then return 0 end
  local workers = tonumber(args[2])
  local n = 0
  for i = 3, #args, 2 do
    local hash = n < workers and keys[1] or keys[2]
    redis.call('HSET', hash, args[i], args[i + 1])
    n = n + 1
  end
  redis.call('SET', keys[3], 1)
  chained_xadd(keys[4], {'at', args[1], 'actor', 'config', 'action', 'workers.seeded',
                         'report', '', 'detail', 'records=' .. n})
  return n
end

-- KEYS: hash, version, audit_stream
-- ARGV: now_ms, actor, action, id, json, id, json, ...
local function put(keys, args)
  local n = 0
  for i = 4, #args, 2 do
    redis.call('HSET', keys[1], args[i], args[i + 1])
    n = n + 1
  end
  local v = redis.call('INCR', keys[2])
  local detail = n == 1 and ('id=' .. args[4]) or ('records=' .. n)
  chained_xadd(keys[3], {'at', args[1], 'actor', args[2], 'action', args[3], 'report', '',
                         'detail', detail})
  return v
end

-- KEYS: hash, version, audit_stream   ARGV: id, now_ms, actor, action
local function remove(keys, args)
  if redis.call('HDEL', keys[1], args[1]) == 0 then
    return redis.error_reply('NOT_FOUND id|no such entry')
  end
  local v = redis.call('INCR', keys[2])
  chained_xadd(keys[3], {'at', args[2], 'actor', args[3], 'action', args[4], 'report', '',
                         'detail', 'id=' .. args[1]})
  return v
end

redis.register_function{function_name = 'piket_workers_version', flags = {'no-writes'},
                        callback = function() return VERSION end}
redis.register_function('piket_workers_seed', seed)
redis.register_function('piket_workers_put', put)
redis.register_function('piket_workers_remove', remove)
