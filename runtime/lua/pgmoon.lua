-- pgmoon's API (leafo/pgmoon 1.16) for resty: the object, its options and
-- escaping live here; connections, queries and type conversion are Go
-- (runtime/postgres.go over runtime/pg, on jackc/pgx's pgconn), so a query
-- blocks only its own light thread.
local native = require "pgmoon.native"

local NULL = setmetatable({"NULL"}, {__tostring = function() return "NULL" end})

local Postgres = {
  convert_null = false, -- NULL columns are left out unless this is true
  NULL = NULL,          -- what they are then (pgmoon.NULL unless replaced)
}
Postgres.__index = Postgres

local defaults = {
  host = "127.0.0.1", port = "5432", user = "postgres",
  application_name = "pgmoon", ssl = false,
}

local function new(opts)
  local config = {}
  for k, v in pairs(defaults) do config[k] = v end
  if opts then
    for k, v in pairs(opts) do config[k] = v end
  end
  return setmetatable({config = config}, Postgres)
end

setmetatable(Postgres, {__call = function(_, opts) return new(opts) end})

function Postgres:connect()
  if self.conn then -- as a cosocket's connect does, drop the old one first
    native.close(self.conn)
  end
  local conn, err = native.connect(self.config, self.timeout)
  if not conn then
    return nil, err
  end
  self.conn = conn
  return true
end

function Postgres:settimeout(ms)
  self.timeout = ms
end

function Postgres:disconnect()
  if not self.conn then
    return nil, "closed"
  end
  return native.close(self.conn)
end

function Postgres:keepalive(timeout, size)
  if not self.conn then
    return nil, "closed"
  end
  return native.keepalive(self.conn, timeout, size)
end

local function check(self)
  if not self.conn then
    return nil, "receive_message: failed to get type: closed"
  end
  return true
end

-- query(sql) uses the simple protocol (several statements allowed);
-- query(sql, v1, v2…) the extended one, v1… filling $1, $2…
function Postgres:query(q, ...)
  local ok, err = check(self)
  if not ok then
    return nil, err
  end
  return native.query(self.conn, q, self.convert_null, self.NULL, self.timeout, select("#", ...), ...)
end

function Postgres:simple_query(q)
  return self:query(q)
end

function Postgres:wait_for_notification()
  local ok, err = check(self)
  if not ok then
    return nil, err
  end
  return native.wait(self.conn, self.timeout)
end

function Postgres:escape_identifier(ident)
  return '"' .. (tostring(ident):gsub('"', '""')) .. '"'
end

function Postgres:escape_literal(val)
  if val == nil or (self ~= nil and val == self.NULL) then
    return "NULL"
  end
  local t = type(val)
  if t == "number" then
    return tostring(val)
  elseif t == "string" then
    return "'" .. (val:gsub("'", "''")) .. "'"
  elseif t == "boolean" then
    return val and "TRUE" or "FALSE"
  end
  error("don't know how to escape value: " .. tostring(val))
end

function Postgres:encode_bytea(str)
  return "E'\\\\x" .. (str:gsub(".", function(c) return string.format("%02x", c:byte()) end)) .. "'"
end

function Postgres:__tostring()
  return "<Postgres socket: " .. tostring(self.conn) .. ">"
end

return {Postgres = Postgres, new = new, NULL = NULL, VERSION = "1.16.0"}
