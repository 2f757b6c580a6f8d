-- resty.lock: a non-blocking lock over a shared dict (lua-resty-lock's
-- API), written for this resty. A lock is a dict key added with this
-- object's own token, so unlock and expire never touch a lock that
-- expired and was taken by someone else meanwhile.

local shared = ngx.shared
local sleep = ngx.sleep
local setmetatable = setmetatable

local _M = { _VERSION = "0.09" }
local mt = { __index = _M }

local tokens = 0

function _M.new(_, dict_name, opts)
    local dict = shared[dict_name]
    if not dict then
        return nil, "dictionary not found"
    end
    opts = opts or {}
    tokens = tokens + 1
    return setmetatable({
        dict = dict,
        token = tokens,
        exptime = opts.exptime or 30,
        timeout = opts.timeout or 5,
        step = opts.step or 0.001,
        ratio = opts.ratio or 2,
        max_step = opts.max_step or 0.5,
    }, mt)
end

-- lock returns the seconds spent waiting, or nil and "timeout", "locked"
-- (this object holds a lock already) or the dict's error.
function _M.lock(self, key)
    if key == nil then
        return nil, "nil key"
    end
    if self.key then
        return nil, "locked"
    end
    local dict, token, exptime = self.dict, self.token, self.exptime
    local ok, err = dict:add(key, token, exptime)
    if ok then
        self.key = key
        return 0
    end
    if err ~= "exists" then
        return nil, err
    end
    local step, ratio, max_step = self.step, self.ratio, self.max_step
    local left, elapsed = self.timeout, 0
    while left > 0 do
        if step > left then
            step = left
        end
        sleep(step)
        elapsed = elapsed + step
        left = left - step
        ok, err = dict:add(key, token, exptime)
        if ok then
            self.key = key
            return elapsed
        end
        if err ~= "exists" then
            return nil, err
        end
        step = step * ratio
        if step <= 0 then
            step = 0.001
        end
        if step > max_step then
            step = max_step
        end
    end
    return nil, "timeout"
end

function _M.unlock(self)
    local key = self.key
    if not key then
        return nil, "unlocked"
    end
    self.key = nil
    if self.dict:get(key) == self.token then
        local ok, err = self.dict:delete(key)
        if not ok then
            return nil, err
        end
    end
    return 1
end

function _M.expire(self, time)
    local key = self.key
    if not key then
        return nil, "unlocked"
    end
    if self.dict:get(key) ~= self.token then
        return nil, "not found"
    end
    local ok, err = self.dict:replace(key, self.token, time or self.exptime)
    if not ok then
        return nil, err
    end
    return true
end

return _M
