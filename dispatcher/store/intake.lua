-- Intake: a report or advice contact is stored with its triage, its notices and its matching job.

-- KEYS: idempotency key
-- ARGV[1]: {id, fingerprint, report, triage, now, region, municipality, class, state, actor,
--           kind, needed, visit_required, first_contact_by, family_key, timers:[{member, at}],
--           from_advice}
local function submit_report(keys, args)
  local r = cjson.decode(args[1])
  local seen = redis.call('HGET', keys[1], 'report')
  if seen then
    if redis.call('HGET', keys[1], 'fingerprint') ~= r.fingerprint then
      return fail('CONFLICT', 'Idempotency-Key', 'this key was already used for a different report')
    end
    return {seen, 0}
  end
  if r.from_advice ~= '' then
    local advice_state = redis.call('HGET', report_key(r.from_advice), 'state')
    if not advice_state then return fail('NOT_FOUND', 'id', 'no such advice contact') end
    if advice_state ~= RS.advice then
      return fail('CONFLICT', 'id', 'this contact is ' .. advice_state .. ', not an open advice contact')
    end
    set_report(r.from_advice, r.now, 'state', RS.converted, 'converted_to', r.id)
    audit(r.now, r.actor, 'advice.converted', r.from_advice, 'report=' .. r.id)
  end
  redis.call('HSET', report_key(r.id), 'id', r.id, 'kind', r.kind, 'report', r.report,
             'triage', r.triage, 'state', r.state, 'region', r.region,
             'municipality', r.municipality, 'class', r.class, 'created_at', r.now,
             'updated_at', r.now, 'needed', r.needed, 'visit_required', r.visit_required,
             'first_contact_by', r.first_contact_by, 'family_key', r.family_key,
             'from_advice', r.from_advice, 'round', 0, 'rev', 0)
  redis.call('HSET', keys[1], 'report', r.id, 'fingerprint', r.fingerprint)
  redis.call('PEXPIRE', keys[1], 7 * 24 * 3600 * 1000)
  redis.call('ZADD', INDEX, r.now, r.id)
  if is_open(r.state) then index_open(r.id, r.region, r.now) end
  for _, t in ipairs(r.timers) do redis.call('ZADD', TIMERS, t.at, t.member) end
  audit(r.now, r.actor, r.kind == KIND_ADVICE and 'advice.recorded' or 'report.created', r.id,
        'class=' .. r.class .. ' state=' .. r.state)
  if r.state == RS.matching then
    match_job(r.id, 'new')
  end
  return {r.id, 1}
end

redis.register_function('piket_submit_report', submit_report)
