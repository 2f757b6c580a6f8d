-- resty.postgres is pgmoon under another name (runtime/lua/pgmoon.lua).
return require "pgmoon"
