-- Every entry written to the audit and access streams, by any daemon, carries the hash of the
-- one before it (SHA-1 over that hash and its own fields, in order), so removing or changing
-- an entry breaks the chain from there on; the head is kept in piket:chain:<stream> and
-- written to the dispatcher's log, outside Redis. Joined first into every library that writes
-- those streams (cmake/EmbedLua.cmake), so all writers extend the one chain.
local CHAIN = 'piket:chain:'
local function chain_hash(prev, fields)
  return redis.sha1hex(prev .. '\n' .. table.concat(fields, '\n'))
end

-- Returns the new entry's id.
local function chained_xadd(stream, fields)
  local prev = redis.call('GET', CHAIN .. stream) or ''
  local hash = chain_hash(prev, fields)
  local id = redis.call('XADD', stream, '*', 'prev', prev, 'hash', hash, unpack(fields))
  redis.call('SET', CHAIN .. stream, hash)
  return id
end
