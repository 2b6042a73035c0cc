-- After the visit and beside it: the outcome, the desk's triage override, the order's extension.

-- ARGV[1]: {report, outcome (JSON text), state (closed|referred), now, actor, expect?}
local function record_outcome(keys, args)
  local p = cjson.decode(args[1])
  local rkey = report_key(p.report)
  local r = redis.call('HMGET', rkey, 'state', 'visit', 'region')
  if not r[1] then return fail('NOT_FOUND', 'id', 'no such report') end
  local conflict = stale(p.report, p.expect)
  if conflict then return conflict end
  if r[1] == RS.closed or r[1] == RS.referred or r[1] == RS.converted then
    return fail('CONFLICT', 'id', 'the report is already ' .. r[1])
  end
  if r[1] == RS.matching or r[1] == RS.alerting or r[1] == RS.unassigned then
    return fail('CONFLICT', 'id', 'the report is ' .. r[1] .. ': nobody has accepted it yet')
  end
  redis.call('ZREM', TIMERS, 'step:' .. p.report)
  cancel_open_assignments(p.report, p.now)
  if r[2] and r[2] ~= '' then
    local vstate = redis.call('HGET', VISIT .. r[2], 'state')
    if vstate ~= VS.completed then
      redis.call('HSET', VISIT .. r[2], 'state', VS.completed, 'updated_at', p.now, 'completed_at', p.now)
      redis.call('ZREM', TIMERS, 'checkin:' .. r[2])
    end
  end
  set_report(p.report, p.now, 'state', p.state, 'outcome', p.outcome, 'closed_at', p.now)
  unindex_open(p.report, r[3])
  audit(p.now, p.actor, 'report.' .. p.state, p.report, 'route=' .. p.route)
  return cjson.encode({report = p.report, state = p.state})
end

-- The operator overrides the triage: both results stay (original kept once), audited.
-- ARGV[1]: {report, triage (new JSON text), class, dispatch (bool), reason, now, actor, needed,
--           expect?: the state and round the override was decided on}
local function override_triage(keys, args)
  local p = cjson.decode(args[1])
  local rkey = report_key(p.report)
  local r = redis.call('HMGET', rkey, 'state', 'class', 'triage', 'triage_original', 'kind')
  if not r[1] then return fail('NOT_FOUND', 'id', 'no such report') end
  local conflict = stale(p.report, p.expect)
  if conflict then return conflict end
  if r[5] == KIND_ADVICE then return fail('CONFLICT', 'id', 'an advice contact has no triage; convert it to a report') end
  if r[1] ~= RS.queued and r[1] ~= RS.matching and r[1] ~= RS.alerting and r[1] ~= RS.unassigned then
    return fail('CONFLICT', 'id', 'the report is ' .. r[1] .. '; its triage can no longer change')
  end
  if not r[4] or r[4] == '' then redis.call('HSET', rkey, 'triage_original', r[3]) end
  redis.call('RPUSH', rkey .. ':overrides', cjson.encode({at = p.now, actor = p.actor, from = r[2],
                                                          to = p.class, reason = p.reason}))
  local state = r[1]
  if p.dispatch and state == RS.queued then
    state = RS.matching
    match_job(p.report, 'triage_override')
  elseif not p.dispatch and state ~= RS.queued then
    state = RS.queued
    redis.call('ZREM', TIMERS, 'step:' .. p.report, 'rematch:' .. p.report)
    cancel_open_assignments(p.report, p.now)
  end
  set_report(p.report, p.now, 'triage', p.triage, 'class', p.class, 'state', state, 'needed', p.needed,
             'visit_required', p.dispatch and '1' or '0', 'first_contact_by', p.first_contact_by)
  audit(p.now, p.actor, 'triage.overridden', p.report,
        'from=' .. r[2] .. ' to=' .. p.class .. ' reason=' .. p.reason)
  return cjson.encode({report = p.report, state = state, class = p.class, previous_class = r[2]})
end

-- The mayor's restraining order is extended: the new end and its notices, audited.
-- ARGV[1]: {report, triage (JSON text), until_ms, now, actor, reason, expect?: the revision the
--           new triage was computed from, so two extensions at once cannot undo each other}
local function extend_order(keys, args)
  local p = cjson.decode(args[1])
  local rkey = report_key(p.report)
  local state = redis.call('HGET', rkey, 'state')
  if not state then return fail('NOT_FOUND', 'id', 'no such report') end
  local conflict = stale(p.report, p.expect)
  if conflict then return conflict end
  if state == RS.closed or state == RS.referred then return fail('CONFLICT', 'id', 'the report is ' .. state) end
  set_report(p.report, p.now, 'triage', p.triage)
  redis.call('ZADD', TIMERS, p.until_ms - 24 * 3600 * 1000, 'notice:' .. p.report .. ':order_ends_in_24h',
             p.until_ms, 'notice:' .. p.report .. ':order_ends')
  audit(p.now, p.actor, 'restraining_order.extended', p.report, 'until=' .. p.until_ms .. ' reason=' .. p.reason)
  return cjson.encode({report = p.report, state = state})
end

redis.register_function('piket_record_outcome', record_outcome)
redis.register_function('piket_override_triage', override_triage)
redis.register_function('piket_extend_order', extend_order)
