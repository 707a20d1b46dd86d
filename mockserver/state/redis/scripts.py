"""The Lua scripts that make each multi-key change of the Redis store atomic.

Redis runs a script alone, so a debit (wallet, ledger entry, generation record) is never
half-written or interleaved with another, from any process. ``ARGV[1]`` is always the key
prefix. Sequence numbers are zero-padded to 20 digits, so members of a sorted set with the
same score sort in the order they were written.

Layout (``P`` = prefix): ``P wallets`` hash team → nanos; ``P teams`` zset team by last
charge and ``P teams:names`` the same teams by name (all scored 0); ``P spent`` hash team → the
sum of its ledger entries still kept; ``P ledger:t:<team>`` zset ``seq:amount`` by time and ``P ledger:index`` zset
``seq|amount|team`` by time; ``P gen:<seq>`` a record (JSON), ``P gen:t:<team>`` zset
``seq|request`` and ``P gen:index`` zset ``seq|request\\0team`` by time, ``P gen:by_request``
hash ``request\\0team`` → seq; ``P key:<id>`` hash, ``P kid:<kid>`` → id, ``P keys:t:<team>``
zset ``seq|id``, ``P kids:deleted`` zset kid by deletion time; ``P job:<id>`` and
``P oauth:<id>`` JSON rows with ``P jobs:index`` and ``P oauth:t:<team>`` zsets;
``P applied:<token>`` the debits already applied (for a minute).
"""

from __future__ import annotations

#: How long a debit's token is remembered: redis-py resends a command whose connection failed
#: (the reply may be what was lost), within ~16 s (connection.RETRIES); a resent debit whose token
#: was seen does nothing.
APPLIED_TTL_MS = 60_000

_CHARGE = (
    """
local P = ARGV[1]
local function first_time(token)
  return redis.call('SET', P .. 'applied:' .. token, 1, 'NX', 'PX', """
    + str(APPLIED_TTL_MS)
    + """)
end
local function charge(team, amount, negated, initial, now)
  redis.call('HSETNX', P .. 'wallets', team, initial)
  redis.call('HINCRBY', P .. 'wallets', team, negated)
  local seq = string.format('%020d', redis.call('INCR', P .. 'ledger:seq'))
  redis.call('ZADD', P .. 'ledger:t:' .. team, now, seq .. ':' .. amount)
  redis.call('ZADD', P .. 'ledger:index', now, seq .. '|' .. amount .. '|' .. team)
  redis.call('ZADD', P .. 'teams', now, team)
  redis.call('ZADD', P .. 'teams:names', 0, team)
  redis.call('HINCRBY', P .. 'spent', team, amount)
end
"""
)

#: ARGV: prefix, team, amount, -amount, initial nanos, now ms, token (unique per debit).
DEBIT = (
    _CHARGE
    + """
if not first_time(ARGV[7]) then return 0 end
charge(ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
return 1
"""
)

#: ARGV: prefix, team, amount (0: nothing charged), -amount, initial nanos, now ms, request id,
#: record JSON, record TTL ms, token (unique per settle).
SETTLE = (
    _CHARGE
    + """
if not first_time(ARGV[10]) then return 0 end
local team, request = ARGV[2], ARGV[7]
if ARGV[3] ~= '0' then charge(team, ARGV[3], ARGV[4], ARGV[5], ARGV[6]) end
local g = string.format('%020d', redis.call('INCR', P .. 'gen:seq'))
redis.call('SET', P .. 'gen:' .. g, ARGV[8], 'PX', ARGV[9])
redis.call('ZADD', P .. 'gen:t:' .. team, ARGV[6], g .. '|' .. request)
redis.call('ZADD', P .. 'gen:index', ARGV[6], g .. '|' .. request .. '\\0' .. team)
redis.call('HSET', P .. 'gen:by_request', request .. '\\0' .. team, g)
return 1
"""
)

_DROP_GENERATION = """
local function drop_generation(g, request, team)
  redis.call('DEL', P .. 'gen:' .. g)
  redis.call('ZREM', P .. 'gen:t:' .. team, g .. '|' .. request)
  redis.call('ZREM', P .. 'gen:index', g .. '|' .. request .. '\\0' .. team)
  if redis.call('HGET', P .. 'gen:by_request', request .. '\\0' .. team) == g then
    redis.call('HDEL', P .. 'gen:by_request', request .. '\\0' .. team)
  end
end
local function drop_ledger_entry(seq, amount, team)
  local removed = redis.call('ZREM', P .. 'ledger:t:' .. team, seq .. ':' .. amount)
  redis.call('ZREM', P .. 'ledger:index', seq .. '|' .. amount .. '|' .. team)
  if removed == 1 then
    local negated = string.sub(amount, 1, 1) == '-' and string.sub(amount, 2) or '-' .. amount
    redis.call('HINCRBY', P .. 'spent', team, negated)
  end
end
local function oldest(index, cutoff, keep)
  local gone = redis.call('ZRANGEBYSCORE', index, '-inf', '(' .. cutoff)
  local over = redis.call('ZCARD', index) - #gone - keep
  if over > 0 then
    for _, member in ipairs(redis.call('ZRANGE', index, #gone, #gone + over - 1)) do table.insert(gone, member) end
  end
  return gone
end
"""

#: ARGV: prefix, cutoff ms, rows kept. Generation records and ledger entries older than the
#: cutoff, then all but the newest rows kept, are dropped.
PRUNE_RECORDS = (
    "local P = ARGV[1]\n"
    + _DROP_GENERATION
    + """
local cutoff, keep = ARGV[2], tonumber(ARGV[3])
for _, m in ipairs(oldest(P .. 'gen:index', cutoff, keep)) do
  local g, request, team = string.match(m, '^(%d+)|([^%z]*)%z(.*)$')
  drop_generation(g, request, team)
end
for _, m in ipairs(oldest(P .. 'ledger:index', cutoff, keep)) do
  local seq, amount, team = string.match(m, '^(%d+)|(%-?%d+)|(.*)$')
  drop_ledger_entry(seq, amount, team)
end
"""
)

#: ARGV: prefix, wallets kept, protected team. The teams charged least recently beyond the
#: cap lose their wallet, ledger entries and generation records.
FORGET_TEAMS = (
    "local P = ARGV[1]\n"
    + _DROP_GENERATION
    + """
local over = redis.call('HLEN', P .. 'wallets') - tonumber(ARGV[2])
if over <= 0 then return 0 end
local forgotten = 0
for _, team in ipairs(redis.call('ZRANGE', P .. 'teams', 0, over)) do
  if team ~= ARGV[3] and forgotten < over then
    forgotten = forgotten + 1
    for _, m in ipairs(redis.call('ZRANGE', P .. 'ledger:t:' .. team, 0, -1)) do
      local seq, amount = string.match(m, '^(%d+):(%-?%d+)$')
      drop_ledger_entry(seq, amount, team)
    end
    for _, m in ipairs(redis.call('ZRANGE', P .. 'gen:t:' .. team, 0, -1)) do
      local g, request = string.match(m, '^(%d+)|(.*)$')
      drop_generation(g, request, team)
    end
    redis.call('HDEL', P .. 'wallets', team)
    redis.call('HDEL', P .. 'spent', team)
    redis.call('ZREM', P .. 'teams', team)
    redis.call('ZREM', P .. 'teams:names', team)
  end
end
return forgotten
"""
)

#: ARGV: prefix, cutoff ms, jobs kept.
PRUNE_JOBS = (
    "local P = ARGV[1]\n"
    + _DROP_GENERATION
    + """
for _, id in ipairs(oldest(P .. 'jobs:index', ARGV[2], tonumber(ARGV[3]))) do
  redis.call('DEL', P .. 'job:' .. id)
  redis.call('ZREM', P .. 'jobs:index', id)
end
"""
)

#: ARGV: prefix, kid, id, team, created ms, then the row's field/value pairs. 0 when the kid
#: is taken (by a live or a deleted key); 1 when written, or already written by this very call
#: (a retry after a lost reply).
CREATE_KEY = """
local P, kid, id, team = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local owner = redis.call('GET', P .. 'kid:' .. kid)
if owner == id then return 1 end
if owner or redis.call('ZSCORE', P .. 'kids:deleted', kid) then return 0 end
local seq = string.format('%020d', redis.call('INCR', P .. 'keys:seq'))
redis.call('SET', P .. 'kid:' .. kid, id)
redis.call('HSET', P .. 'key:' .. id, 'seq', seq, unpack(ARGV, 6))
redis.call('ZADD', P .. 'keys:t:' .. team, ARGV[5], seq .. '|' .. id)
return 1
"""

#: ARGV: prefix, kid. ``{'unknown'}``, ``{'deleted'}``, or the key's id, team, status, hash, soft_blocked.
CHECK_KEY = """
local P, kid = ARGV[1], ARGV[2]
local id = redis.call('GET', P .. 'kid:' .. kid)
if not id then
  if redis.call('ZSCORE', P .. 'kids:deleted', kid) then return {'deleted'} end
  return {'unknown'}
end
return redis.call('HMGET', P .. 'key:' .. id, 'id', 'team_id', 'status', 'secret_hash', 'soft_blocked')
"""

#: ARGV: prefix, id, team, then field/value pairs. 1 when the team's key was changed.
UPDATE_KEY = """
local P, id = ARGV[1], ARGV[2]
if redis.call('HGET', P .. 'key:' .. id, 'team_id') ~= ARGV[3] then return 0 end
if #ARGV > 3 then redis.call('HSET', P .. 'key:' .. id, unpack(ARGV, 4)) end
return 1
"""

#: ARGV: prefix, id, now ms.
TOUCH_KEY = """
local P, id = ARGV[1], ARGV[2]
if redis.call('EXISTS', P .. 'key:' .. id) == 1 then redis.call('HSET', P .. 'key:' .. id, 'last_used_ms', ARGV[3]) end
"""

#: ARGV: prefix, id, team, now ms. The deleted key's name, or nil when the team has no such key.
DELETE_KEY = """
local P, id, team = ARGV[1], ARGV[2], ARGV[3]
local row = redis.call('HMGET', P .. 'key:' .. id, 'team_id', 'kid', 'name', 'seq')
if row[1] ~= team then return nil end
redis.call('DEL', P .. 'key:' .. id, P .. 'kid:' .. row[2])
redis.call('ZREM', P .. 'keys:t:' .. team, row[4] .. '|' .. id)
redis.call('ZADD', P .. 'kids:deleted', ARGV[4], row[2])
return row[3]
"""

#: ARGV: prefix, team, since ms. The team's ledger total since then, summed here rather than
#: sent over the wire entry by entry, as two exact parts (Lua numbers are doubles: each part
#: stays far below 2^53): ``{whole billions of nanos, remaining nanos}``, as strings.
SPEND_SINCE = """
local P, team, since = ARGV[1], ARGV[2], ARGV[3]
local high, low = 0, 0
for _, m in ipairs(redis.call('ZRANGEBYSCORE', P .. 'ledger:t:' .. team, since, '+inf')) do
  local sign, digits = string.match(m, ':(%-?)(%d+)$')
  local n = #digits
  local billions = n > 9 and tonumber(string.sub(digits, 1, n - 9)) or 0
  local rest = tonumber(string.sub(digits, math.max(1, n - 8)))
  if sign == '-' then high, low = high - billions, low - rest else high, low = high + billions, low + rest end
end
return {string.format('%.0f', high), string.format('%.0f', low)}
"""

#: ARGV: prefix, limit. The first ``limit`` wallets by team name, read in one step:
#: ``{team, balance, spent, team, balance, spent...}`` (balances and sums as strings).
WALLETS = """
local P = ARGV[1]
local found = {}
for _, team in ipairs(redis.call('ZRANGE', P .. 'teams:names', 0, tonumber(ARGV[2]) - 1)) do
  local balance = redis.call('HGET', P .. 'wallets', team)
  if balance then
    table.insert(found, team)
    table.insert(found, balance)
    table.insert(found, redis.call('HGET', P .. 'spent', team) or '0')
  end
end
return found
"""
