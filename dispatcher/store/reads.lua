-- Reads: a report with its timeline (logged), the desk's list, the chains' check.

-- The operator's view of a report with its assignments, visit and timeline; the read is logged.
-- ARGV: report_id, now_ms, actor, purpose
-- ARGV: report id, now_ms, actor, purpose, break-glass reason ('' or absent: an ordinary read)
local function read_report(keys, args)
  local rkey = report_key(args[1])
  local r = redis.call('HGETALL', rkey)
  if #r == 0 then return fail('NOT_FOUND', 'report', 'no such report') end
  -- A break-glass read (ARGV[5], its reason) is flagged for the privacy officer's review.
  if args[5] and args[5] ~= '' then
    local entry = chained_xadd(ACCESS, {'at', args[2], 'actor', args[3], 'report', args[1], 'purpose',
                                        'break_glass', 'reason', args[5]})
    redis.call('ZADD', ACCESS_FLAGGED, tonumber(args[2]), entry)
  else
    chained_xadd(ACCESS, {'at', args[2], 'actor', args[3], 'report', args[1], 'purpose', args[4]})
  end
  local assignments = {}
  for _, aid in ipairs(assignments_of(args[1])) do
    assignments[#assignments + 1] = redis.call('HGETALL', ASSIGNMENT .. aid)
  end
  local visit = redis.call('HGET', rkey, 'visit')
  local visit_fields, checkins = {}, {}
  if visit then
    visit_fields = redis.call('HGETALL', VISIT .. visit)
    checkins = redis.call('LRANGE', VISIT .. visit .. ':checkins', 0, -1)
  end
  return {r, assignments, redis.call('LRANGE', rkey .. ':timeline', 0, -1), visit_fields, checkins,
          redis.call('LRANGE', rkey .. ':overrides', 0, -1), redis.call('LRANGE', rkey .. ':notices', 0, -1)}
end


-- How many index entries one call looks at, at most: Redis is never blocked for long by a
-- list; the caller follows the cursor for more.
local LIST_SCAN = 2000

-- Who is alerted and who accepted (worker ids, never names), for the desk's board.
local function answering(id)
  local out = {}
  for _, aid in ipairs(assignments_of(id)) do
    local a = redis.call('HMGET', ASSIGNMENT .. aid, 'worker', 'state')
    if a[1] and (a[2] == AS.alerted or a[2] == AS.accepted) then out[#out + 1] = {worker = a[1], state = a[2]} end
  end
  return out  -- an empty one encodes as {}: the dispatcher makes it []
end

local function list_row(id, r)
  return cjson.encode({id = id, region = r[1], state = r[2], kind = r[3], class = r[4],
                       municipality = r[5], created_at = tonumber(r[6]) or 0,
                       first_contact_by = tonumber(r[7]) or 0, needed = tonumber(r[8]) or 1,
                       visit = r[9] or '', notices = redis.call('LLEN', REPORT .. id .. ':notices'),
                       assignments = answering(id)})
end

-- The desk's list (and the hand-offs' open cases): reports newest first, without personal
-- details (no reporter, narrative, address or people), so reading it is not a read of a case.
-- Open cases come from the open-reports index, however old; other states from the index of
-- every report, since `since_ms`. A page ends at `limit` rows or after LIST_SCAN entries; the
-- cursor ("<created_at>:<id>" of the last entry looked at, '' at the end) continues after it.
-- ARGV: region ('' = all), state ('' = every open case; 'all' = every state), limit, since_ms,
-- cursor. Returns {rows (JSON), next cursor}.
local function list_reports(keys, args)
  local region, state, limit, cursor = args[1], args[2], tonumber(args[3]), args[5] or ''
  local from_open = state == '' or is_open(state)
  local key, min = INDEX, args[4]
  if from_open then
    key, min = OPEN, '-inf'
    if region ~= '' then key = OPEN .. ':' .. region end
  end
  local max, after_score, after_id = '+inf', nil, nil
  if cursor ~= '' then
    after_score, after_id = string.match(cursor, '^(%d+):(.+)$')
    if not after_score then return fail('INVALID', 'cursor', 'is not a cursor this list gave') end
    max = after_score
    after_score = tonumber(after_score)
  end
  local out, looked, offset = {}, 0, 0
  while true do
    local batch = redis.call('ZREVRANGEBYSCORE', key, max, min, 'WITHSCORES', 'LIMIT', offset, 200)
    if #batch == 0 then return {out, ''} end
    offset = offset + #batch / 2
    for i = 1, #batch, 2 do
      local id, score = batch[i], tonumber(batch[i + 1])
      -- Equal times come in reverse id order: those up to the cursor were on the page before.
      if not (after_id and score == after_score and id >= after_id) then
        looked = looked + 1
        local r = redis.call('HMGET', REPORT .. id, 'region', 'state', 'kind', 'class', 'municipality',
                             'created_at', 'first_contact_by', 'needed', 'visit')
        local wanted = (state == '' and is_open(r[2])) or state == 'all' or state == r[2]
        if r[2] and (region == '' or region == r[1]) and wanted then out[#out + 1] = list_row(id, r) end
        if #out >= limit or looked >= LIST_SCAN then
          return {out, string.format('%d', score) .. ':' .. id}
        end
      end
    end
  end
end

-- A worker's own assignments on open reports (alerted or accepted), newest report first, for
-- their console: no personal details, as in the desk's list. Looks at most LIST_SCAN open
-- reports. ARGV: worker. Returns rows (JSON).
local function worker_assignments(keys, args)
  local worker, out = args[1], {}
  for _, id in ipairs(redis.call('ZREVRANGE', OPEN, 0, LIST_SCAN - 1)) do
    for _, aid in ipairs(assignments_of(id)) do
      local a = redis.call('HMGET', ASSIGNMENT .. aid, 'worker', 'state', 'deadline', 'step', 'updated_at')
      if a[1] == worker and (a[2] == AS.alerted or a[2] == AS.accepted) then
        local r = redis.call('HMGET', REPORT .. id, 'region', 'state', 'class', 'municipality',
                             'created_at', 'first_contact_by', 'needed', 'visit')
        out[#out + 1] = cjson.encode({id = aid, report = id, state = a[2], deadline = tonumber(a[3]) or 0,
                                      step = a[4] or '', updated_at = tonumber(a[5]) or 0,
                                      region = r[1] or '', report_state = r[2] or '', class = r[3] or '',
                                      municipality = r[4] or '', created_at = tonumber(r[5]) or 0,
                                      first_contact_by = tonumber(r[6]) or 0, needed = tonumber(r[7]) or 1,
                                      visit = r[8] or ''})
      end
    end
  end
  return out
end

-- Whether `worker` has an assignment (in any state) on the report.
local function has_assignment(report_id, worker)
  for _, aid in ipairs(assignments_of(report_id)) do
    if redis.call('HGET', ASSIGNMENT .. aid, 'worker') == worker then return true end
  end
  return false
end

-- The console's live feed: audit entries after the stream id `after`, each reduced to what
-- names no one ({id, at, action, report, region, state}; never the actor or the detail) and
-- kept only when the caller may know of it: a worker (ARGV[3] not '') about reports they have
-- an assignment on, a desk (ARGV[4..], '*' = all) about its regions. `after` '' starts at the
-- end of the stream. ARGV: after, count, worker, regions... Returns {rows (JSON), last id}.
local function read_events(keys, args)
  local after, count, worker = args[1], tonumber(args[2]), args[3]
  local regions, all = {}, false
  for i = 4, #args do
    if args[i] == '*' then all = true end
    regions[args[i]] = true
  end
  if after == '' then
    local last = redis.call('XREVRANGE', AUDIT, '+', '-', 'COUNT', 1)
    return {{}, #last > 0 and last[1][1] or '0-0'}
  end
  local out, last_id = {}, after
  for _, e in ipairs(redis.call('XRANGE', AUDIT, '(' .. after, '+', 'COUNT', count)) do
    last_id = e[1]
    local f = {}
    for i = 1, #e[2], 2 do f[e[2][i]] = e[2][i + 1] end
    local report = f.report
    if report and report ~= '' then
      local r = redis.call('HMGET', REPORT .. report, 'region', 'state')
      local desk = r[1] and (all or regions[r[1]])
      if desk or (worker ~= '' and has_assignment(report, worker)) then
        out[#out + 1] = cjson.encode({id = e[1], at = tonumber(f.at) or 0, action = f.action or '',
                                      report = report, region = r[1] or '', state = r[2] or ''})
      end
    end
  end
  return {out, last_id}
end

-- Checks the chain of a stream, `count` entries from after `after_id`, starting from hash
-- `prev` (the caller walks the stream page by page). Entries without a hash (the scheduler's
-- roster changes in the audit stream) are outside the chain. ARGV: stream, after_id, prev, count
-- Returns {last id read, last hash, broken entry id or '', entries checked, at the end (1|0)}.
local function verify_chain(keys, args)
  local entries = redis.call('XRANGE', args[1], '(' .. args[2], '+', 'COUNT', tonumber(args[4]))
  local prev, last_id, checked = args[3], args[2], 0
  for _, e in ipairs(entries) do
    last_id = e[1]
    local f = e[2]
    -- Every writer chains its entries (common/redis/audit_chain.lua): one without a link is
    -- as much a break as one whose link does not match.
    if f[1] ~= 'prev' or f[3] ~= 'hash' then return {last_id, prev, e[1], checked, 0} end
    local fields = {}
    for i = 5, #f do fields[#fields + 1] = f[i] end
    if f[2] ~= prev or f[4] ~= chain_hash(f[2], fields) then return {last_id, prev, e[1], checked, 0} end
    prev = f[4]
    checked = checked + 1
  end
  local at_end = #entries < tonumber(args[4]) and 1 or 0
  if at_end == 1 and (redis.call('GET', CHAIN .. args[1]) or '') ~= prev then
    return {last_id, prev, 'head', checked, 1}  -- entries removed from the end
  end
  return {last_id, prev, '', checked, at_end}
end

-- Builds the open-reports index from every stored report, a batch at a time, once: a store
-- written before the index existed. Intake and the outcome keep it from then on.
-- ARGV: offset into the index of every report, count. Returns the next offset, or '' when done.
local function index_open_reports(keys, args)
  if redis.call('EXISTS', OPEN_INDEXED) == 1 then return '' end
  local from, count = tonumber(args[1]), tonumber(args[2])
  local ids = redis.call('ZRANGE', INDEX, from, from + count - 1, 'WITHSCORES')
  for i = 1, #ids, 2 do
    local r = redis.call('HMGET', REPORT .. ids[i], 'state', 'region')
    if is_open(r[1]) then index_open(ids[i], r[2], tonumber(ids[i + 1])) end
  end
  if #ids / 2 < count then
    redis.call('SET', OPEN_INDEXED, '1')
    return ''
  end
  return tostring(from + count)
end

redis.register_function('piket_read_report', read_report)
redis.register_function('piket_index_open_reports', index_open_reports)
redis.register_function{function_name = 'piket_verify_chain', flags = {'no-writes'}, callback = verify_chain}
redis.register_function{function_name = 'piket_worker_assignments', flags = {'no-writes'}, callback = worker_assignments}
redis.register_function{function_name = 'piket_read_events', flags = {'no-writes'}, callback = read_events}
redis.register_function{function_name = 'piket_list_reports', flags = {'no-writes'}, callback = list_reports}
