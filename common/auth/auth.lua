-- Accounts (users and integration clients), sessions, API tokens and sign-in limits: each
-- change is one step. Secrets never come here: sessions and tokens are found by their public
-- id and hold a SHA-256 of their secret, which the caller's hash must match.
-- Errors start with CONFLICT / NOT_FOUND / INVALID and "field|message" for the API.

local VERSION = '@PIKET_LUA_VERSION@'

local function fail(kind, field, message) return redis.error_reply(kind .. ' ' .. field .. '|' .. message) end

local function as_map(flat)
  local out = {}
  for i = 1, #flat, 2 do out[flat[i]] = flat[i + 1] end
  return out
end

-- KEYS: account, accounts   ARGV: JSON {id, kind, roles, worker, teams, regions, password?,
-- disabled, now}, mode ('create' refuses an existing id; 'update' needs one)
local function put_account(keys, args)
  local a = cjson.decode(args[1])
  local exists = redis.call('EXISTS', keys[1]) == 1
  if args[2] == 'create' and exists then return fail('CONFLICT', 'id', 'an account with this id exists') end
  if args[2] == 'update' and not exists then return fail('NOT_FOUND', 'id', 'no such account') end
  redis.call('HSET', keys[1], 'id', a.id, 'kind', a.kind, 'roles', cjson.encode(a.roles),
             'worker', a.worker, 'teams', cjson.encode(a.teams), 'regions', cjson.encode(a.regions),
             'disabled', a.disabled and '1' or '0', 'updated_at', a.now)
  if not exists then redis.call('HSET', keys[1], 'created_at', a.now) end
  if type(a.password) == 'string' and a.password ~= '' then redis.call('HSET', keys[1], 'password', a.password) end
  redis.call('SADD', keys[2], a.id)
  return exists and 0 or 1
end

local function end_sessions(sessions_key, session_prefix)
  local ids = redis.call('SMEMBERS', sessions_key)
  for _, id in ipairs(ids) do redis.call('DEL', session_prefix .. id) end
  redis.call('DEL', sessions_key)
  return #ids
end

-- A new password ends every session of the account.
-- KEYS: account, account_sessions   ARGV: argon2id string, now_ms, session key prefix
local function set_password(keys, args)
  if redis.call('EXISTS', keys[1]) == 0 then return fail('NOT_FOUND', 'id', 'no such account') end
  redis.call('HSET', keys[1], 'password', args[1], 'password_changed_at', args[2], 'updated_at', args[2])
  return end_sessions(keys[2], args[3])
end

-- KEYS: account, account_sessions   ARGV: disabled ('1'|'0'), now_ms, session key prefix
local function set_disabled(keys, args)
  if redis.call('EXISTS', keys[1]) == 0 then return fail('NOT_FOUND', 'id', 'no such account') end
  redis.call('HSET', keys[1], 'disabled', args[1], 'updated_at', args[2])
  if args[1] == '1' then return end_sessions(keys[2], args[3]) end
  return 0
end

-- A new session (a new id at every sign-in); the one the browser held before, if any, ends.
-- KEYS: session, account, account_sessions, replaced session ('' key when none)
-- ARGV: id, secret hash, user, csrf, now_ms, absolute_ms, replaced id, account key prefix
local function create_session(keys, args)
  local a = redis.call('HMGET', keys[2], 'kind', 'disabled')
  if not a[1] or a[1] ~= 'user' or a[2] == '1' then return fail('NOT_FOUND', 'user', 'no such user') end
  local now, absolute = tonumber(args[5]), tonumber(args[6])
  redis.call('HSET', keys[1], 'id', args[1], 'hash', args[2], 'user', args[3], 'csrf', args[4],
             'created_at', args[5], 'last_seen', args[5], 'expires_at', string.format('%.0f', now + absolute))
  redis.call('PEXPIRE', keys[1], absolute)
  redis.call('SADD', keys[3], args[1])
  if args[7] ~= '' then
    local owner = redis.call('HGET', keys[4], 'user')
    if owner then
      redis.call('DEL', keys[4])
      redis.call('SREM', args[8] .. owner .. ':sessions', args[7])
    end
  end
  return 1
end

-- Returns {session fields, account fields} when the secret's hash matches and the session is
-- within its idle and absolute limits; an ended or expired session is removed.
-- KEYS: session   ARGV: secret hash, now_ms, idle_ms, touch_ms, account key prefix
local function use_session(keys, args)
  local s = as_map(redis.call('HGETALL', keys[1]))
  if not s.hash or s.hash ~= args[1] then return fail('NOT_FOUND', 'session', 'no such session') end
  local now = tonumber(args[2])
  local account_key = args[5] .. s.user
  local a = redis.call('HGETALL', account_key)
  local account = as_map(a)
  local expired = now - tonumber(s.last_seen) > tonumber(args[3]) or now >= tonumber(s.expires_at)
  if expired or not account.id or account.disabled == '1' then
    redis.call('DEL', keys[1])
    redis.call('SREM', account_key .. ':sessions', s.id)
    return fail('NOT_FOUND', 'session', expired and 'the session has expired' or 'no such session')
  end
  if now - tonumber(s.last_seen) >= tonumber(args[4]) then redis.call('HSET', keys[1], 'last_seen', args[2]) end
  return {redis.call('HGETALL', keys[1]), a}
end

-- KEYS: session   ARGV: account key prefix
local function end_session(keys, args)
  local s = redis.call('HMGET', keys[1], 'user', 'id')
  if not s[1] then return 0 end
  redis.call('DEL', keys[1])
  redis.call('SREM', args[1] .. s[1] .. ':sessions', s[2])
  return 1
end

-- KEYS: token, account, account_tokens   ARGV: JSON {id, hash, owner, scopes, name, now}
local function create_token(keys, args)
  local t = cjson.decode(args[1])
  local a = redis.call('HMGET', keys[2], 'kind', 'disabled')
  if not a[1] or a[2] == '1' then return fail('NOT_FOUND', 'owner', 'no such account') end
  redis.call('HSET', keys[1], 'id', t.id, 'hash', t.hash, 'owner', t.owner, 'scopes', cjson.encode(t.scopes),
             'name', t.name, 'created_at', t.now, 'last_used_at', '0')
  redis.call('SADD', keys[3], t.id)
  return 1
end

-- Returns {token fields, account fields} when the secret's hash matches; records the last use
-- (at most every touch_ms, so reads do not each cost a write).
-- KEYS: token   ARGV: secret hash, now_ms, touch_ms, account key prefix
local function use_token(keys, args)
  local t = as_map(redis.call('HGETALL', keys[1]))
  if not t.hash or t.hash ~= args[1] then return fail('NOT_FOUND', 'token', 'no such token') end
  local a = redis.call('HGETALL', args[4] .. t.owner)
  local account = as_map(a)
  if not account.id or account.disabled == '1' then return fail('NOT_FOUND', 'token', 'no such token') end
  if tonumber(args[2]) - (tonumber(t.last_used_at) or 0) >= tonumber(args[3]) then
    redis.call('HSET', keys[1], 'last_used_at', args[2])
  end
  return {redis.call('HGETALL', keys[1]), a}
end

-- KEYS: token   ARGV: account key prefix
local function revoke_token(keys, args)
  local t = redis.call('HMGET', keys[1], 'owner', 'id')
  if not t[1] then return fail('NOT_FOUND', 'id', 'no such token') end
  redis.call('SREM', args[1] .. t[1] .. ':tokens', t[2])
  redis.call('DEL', keys[1])
  return 1
end

-- Sign-in limits. Every attempt counts before the password is checked, so attempts sent in
-- parallel cannot slip past the limit; a success clears the account's count and takes one off
-- the address's. From `max` failures on, each further failure locks for twice as long (from
-- base_ms to max_ms); failures older than forget_ms no longer count. Counted here, atomically,
-- because two gateways may take attempts for one account at once.
local function locked_until(key, now)
  local until_ = tonumber(redis.call('HGET', key, 'locked_until') or '0') or 0
  if until_ > now then return until_ end
  return 0
end

local function count_attempt(key, now, max, base_ms, max_ms, forget_ms)
  local s = redis.call('HMGET', key, 'failures', 'last_at')
  local failures = tonumber(s[1] or '0') or 0
  if now - (tonumber(s[2] or '0') or 0) > forget_ms then failures = 0 end
  failures = failures + 1
  local until_ = 0
  if failures >= max then until_ = now + math.min(max_ms, base_ms * 2 ^ math.min(failures - max, 30)) end
  redis.call('HSET', key, 'failures', failures, 'locked_until', string.format('%.0f', until_),
             'last_at', string.format('%.0f', now))
  redis.call('PEXPIRE', key, forget_ms + max_ms)
end

-- KEYS: account's failures, address's failures
-- ARGV: now_ms, account max, address max, base_ms, max_ms, forget_ms
-- Returns 0 (go on and check the password) or the instant (ms) the lock-out ends.
local function login_begin(keys, args)
  local now = tonumber(args[1])
  local until_ = math.max(locked_until(keys[1], now), locked_until(keys[2], now))
  if until_ > 0 then return string.format('%.0f', until_) end
  local base_ms, max_ms, forget_ms = tonumber(args[4]), tonumber(args[5]), tonumber(args[6])
  count_attempt(keys[1], now, tonumber(args[2]), base_ms, max_ms, forget_ms)
  count_attempt(keys[2], now, tonumber(args[3]), base_ms, max_ms, forget_ms)
  return '0'
end

-- KEYS: account's failures, address's failures   ARGV: address max
local function login_succeeded(keys, args)
  redis.call('DEL', keys[1])
  local failures = tonumber(redis.call('HGET', keys[2], 'failures') or '0') or 0
  if failures > 0 then
    failures = failures - 1
    redis.call('HSET', keys[2], 'failures', failures)
    if failures < tonumber(args[1]) then redis.call('HSET', keys[2], 'locked_until', '0') end
  end
  return 1
end

-- The second factor: a TOTP secret (base32), the last time step a code was used for (a code
-- is good once) and the SHA-256 of each recovery code left.
-- KEYS: account   ARGV: secret ('' removes the second factor), recovery hashes (JSON), now_ms
local function set_totp(keys, args)
  if redis.call('EXISTS', keys[1]) == 0 then return fail('NOT_FOUND', 'id', 'no such account') end
  if args[1] == '' then
    redis.call('HDEL', keys[1], 'totp', 'totp_step', 'recovery', 'totp_pending')
  else
    redis.call('HSET', keys[1], 'totp', args[1], 'totp_step', '0', 'recovery', args[2])
    redis.call('HDEL', keys[1], 'totp_pending')
  end
  redis.call('HSET', keys[1], 'updated_at', args[3])
  return 1
end

-- A secret offered at self-enrolment, in use only once a code from it is confirmed.
-- KEYS: account   ARGV: secret
local function set_totp_pending(keys, args)
  if redis.call('EXISTS', keys[1]) == 0 then return fail('NOT_FOUND', 'id', 'no such account') end
  redis.call('HSET', keys[1], 'totp_pending', args[1])
  return 1
end

-- Uses a code: 1 when it counts, 0 when it was used before (or is not a recovery code left).
-- KEYS: account   ARGV: 'totp', time step | 'recovery', code hash
local function use_second_factor(keys, args)
  if args[1] == 'totp' then
    local last = tonumber(redis.call('HGET', keys[1], 'totp_step') or '0') or 0
    if tonumber(args[2]) <= last then return 0 end
    redis.call('HSET', keys[1], 'totp_step', args[2])
    return 1
  end
  local ok, list = pcall(cjson.decode, redis.call('HGET', keys[1], 'recovery') or '[]')
  if not ok or type(list) ~= 'table' then return 0 end
  for i, h in ipairs(list) do
    if h == args[2] then
      table.remove(list, i)
      redis.call('HSET', keys[1], 'recovery', #list == 0 and '[]' or cjson.encode(list))
      return 1
    end
  end
  return 0
end

redis.register_function{function_name = 'piket_auth_version', flags = {'no-writes'},
                        callback = function() return VERSION end}
redis.register_function('piket_auth_put_account', put_account)
redis.register_function('piket_auth_set_password', set_password)
redis.register_function('piket_auth_set_disabled', set_disabled)
redis.register_function('piket_auth_create_session', create_session)
redis.register_function('piket_auth_use_session', use_session)
redis.register_function('piket_auth_end_session', end_session)
redis.register_function('piket_auth_create_token', create_token)
redis.register_function('piket_auth_use_token', use_token)
redis.register_function('piket_auth_revoke_token', revoke_token)
redis.register_function('piket_auth_login_begin', login_begin)
redis.register_function('piket_auth_set_totp', set_totp)
redis.register_function('piket_auth_set_totp_pending', set_totp_pending)
redis.register_function('piket_auth_use_second_factor', use_second_factor)
redis.register_function('piket_auth_login_succeeded', login_succeeded)
