-- Need to know: the facts the dispatcher decides access to a report on (read), and the record
-- of a refused attempt in the access log (write). The decision is C++
-- (dispatcher/access/report_access.cpp).

-- A report's region, state and kind, whom its assignments are for (and in which state) and the
-- visit's professionals: no personal details, and not a read of the case (nothing is logged).
-- ARGV: JSON {report}
local function report_access_facts(keys, args)
  local p = cjson.decode(args[1])
  local r = redis.call('HMGET', report_key(p.report), 'region', 'state', 'kind', 'visit')
  if not r[2] then return cjson.encode({exists = false}) end
  local assignments = {}
  for _, aid in ipairs(assignments_of(p.report)) do
    local a = redis.call('HMGET', ASSIGNMENT .. aid, 'worker', 'state')
    assignments[#assignments + 1] = {id = aid, worker = a[1] or '', state = a[2] or ''}
  end
  local visit_workers = {}
  if r[4] and r[4] ~= '' then
    for w in string.gmatch(redis.call('HGET', VISIT .. r[4], 'workers') or '', '[^,]+') do
      visit_workers[#visit_workers + 1] = w
    end
  end
  return cjson.encode({exists = true, region = r[1] or '', state = r[2], kind = r[3] or '',
                       assignments = assignments, visit_workers = visit_workers})
end

-- A refused attempt to read or change a report, in the chained access log beside the reads.
-- ARGV: JSON {report, now, actor, via, roles, purpose}
local function log_access_refused(keys, args)
  local p = cjson.decode(args[1])
  chained_xadd(ACCESS, {'at', tostring(p.now), 'actor', p.actor, 'report', p.report, 'purpose', p.purpose,
                        'outcome', 'refused', 'via', p.via, 'roles', p.roles})
  return cjson.encode({logged = true})
end

-- Break-glass reads not yet reviewed, oldest first: the access entries themselves.
-- ARGV: limit   Returns {entry id, fields} pairs.
local function flagged_reads(keys, args)
  local out = {}
  for _, id in ipairs(redis.call('ZRANGE', ACCESS_FLAGGED, 0, tonumber(args[1]) - 1)) do
    local e = redis.call('XRANGE', ACCESS, id, id)
    out[#out + 1] = {id, e[1] and e[1][2] or {}}
  end
  return out
end

-- The privacy officer closes a reviewed break-glass read with a note, in the audit trail.
-- ARGV: access entry id, now_ms, actor, note
local function close_flagged_read(keys, args)
  if redis.call('ZREM', ACCESS_FLAGGED, args[1]) == 0 then
    return fail('NOT_FOUND', 'id', 'no such flagged read, or closed already')
  end
  redis.call('HSET', ACCESS_FLAGS_CLOSED, args[1], cjson.encode({at = tonumber(args[2]), by = args[3], note = args[4]}))
  chained_xadd(AUDIT, {'at', args[2], 'actor', args[3], 'action', 'access.flag_closed', 'report', '',
                       'detail', 'entry=' .. args[1]})
  return 1
end

redis.register_function{function_name = 'piket_flagged_reads', flags = {'no-writes'}, callback = flagged_reads}
redis.register_function('piket_close_flagged_read', close_flagged_read)
redis.register_function{function_name = 'piket_report_access_facts', flags = {'no-writes'},
                        callback = report_access_facts}
redis.register_function('piket_log_access_refused', log_access_refused)
