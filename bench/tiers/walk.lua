-- walk.lua: makes wrk send a fixed list of URLs once each instead of hammering one URL for a duration.
--
-- Used by bench/tiers/run.sh. wrk only knows how to run for a duration, but a miss benchmark must send every
-- URL exactly once (a repeat would be a hit). So each thread walks its share of the indices FIRST..FIRST+COUNT-1
-- (thread k of T takes FIRST+k, FIRST+k+T, ...; interleaved so the threads finish together), stops itself once
-- all its responses are in, and the last thread to finish interrupts wrk's main thread, which would otherwise
-- sleep out the whole -d (kept only as an upper bound).
--
-- wrk's own Requests/sec divides by that sleep, so this script times the walk itself (monotonic clock, first
-- request to last response) and prints one machine-readable line from done():
--   walk: expected=N responses=N ok=N bad=N seconds=S rate=R first_bad="..."
-- A response is ok when its status is 200, its body has BYTES bytes and every HEADER matches its Lua PATTERN
-- (checks are optional; a missing header never matches).
--
-- Usage: wrk -tT -cC -dMAX --latency -s walk.lua URL -- PREFIX FIRST COUNT T BYTES [HEADER PATTERN]...
--   PREFIX  the path up to the index, e.g. "/bench/1k.txt?r=1&i="
local ffi = require("ffi")

ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } walk_timespec;
    int clock_gettime(int clock_id, walk_timespec *tp);
    int getpid(void);
    int kill(int pid, int sig);
    int tgkill(int tgid, int tid, int sig);
]]

local CLOCK_MONOTONIC = 1
local SIGINT = 2
local MAX_THREADS = 256
local timespec = ffi.new("walk_timespec")

local function now()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
    return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) / 1e9
end

-- Main state (setup and done) --------------------------------------------------------------------------------

local threads = {}
-- One "finished" flag per thread, written by that thread only and read by all: the shared memory lives in the
-- main state (which outlives the threads), its address is handed to each thread as a number.
local finished_flags = ffi.new("int32_t[?]", MAX_THREADS)

function setup(thread)
    local id = #threads
    if id >= MAX_THREADS then
        error("walk.lua supports at most " .. MAX_THREADS .. " threads")
    end
    thread:set("id", id)
    thread:set("flags_address", tonumber(ffi.cast("uintptr_t", finished_flags)))
    table.insert(threads, thread)
end

function done(summary, latency, requests)
    local expected, responses, ok, bad = 0, 0, 0, 0
    local first_start, last_end, first_bad = nil, nil, ""
    for _, thread in ipairs(threads) do
        expected = expected + thread:get("share")
        responses = responses + thread:get("received")
        ok = ok + thread:get("good")
        bad = bad + thread:get("failed")
        local started, ended = thread:get("started_at"), thread:get("last_response_at")
        if started and (first_start == nil or started < first_start) then first_start = started end
        if ended and (last_end == nil or ended > last_end) then last_end = ended end
        if first_bad == "" then first_bad = thread:get("first_bad") or "" end
    end
    local seconds = (first_start and last_end and last_end > first_start) and (last_end - first_start) or 0
    local rate = seconds > 0 and responses / seconds or 0
    io.write(string.format("walk: expected=%d responses=%d ok=%d bad=%d seconds=%.6f rate=%.2f first_bad=%q\n",
        expected, responses, ok, bad, seconds, rate, (first_bad:gsub("[\r\n]", " "))))
end

-- Thread states (init, request, response) ----------------------------------------------------------------------

local prefix, first, stride, bytes
local checks = {}
local next_offset, sent, flags
local verify_pending = false

function init(args)
    prefix = args[1]
    first = tonumber(args[2])
    local count = tonumber(args[3])
    stride = tonumber(args[4])
    bytes = tonumber(args[5])
    if not (prefix and first and count and stride and bytes) or stride < 1 then
        error("usage: -- PREFIX FIRST COUNT THREADS BYTES [HEADER PATTERN]...")
    end
    local index = 6
    while args[index] do
        table.insert(checks, { name = string.lower(args[index]), pattern = args[index + 1] or "" })
        index = index + 2
    end
    -- Globals, so done() can read them with thread:get.
    share = (id < count) and math.floor((count - id + stride - 1) / stride) or 0
    received, good, failed = 0, 0, 0
    first_bad = ""
    next_offset = id
    sent = 0
    flags = ffi.cast("volatile int32_t *", flags_address)
    -- wrk calls request() once on thread 0 before the run to check the request parses, and discards it.
    verify_pending = (id == 0)
    if share == 0 then
        error("COUNT must be at least the number of threads")
    end
end

-- Marks this thread done; the last one to finish wakes wrk's main thread (SIGINT to it alone, which ends its
-- sleep; the other threads have already stopped themselves).
function finish()
    wrk.thread:stop()
    flags[id] = 1
    for other = 0, stride - 1 do
        if flags[other] == 0 then return end
    end
    local pid = ffi.C.getpid()
    if not pcall(ffi.C.tgkill, pid, pid, SIGINT) then
        ffi.C.kill(pid, SIGINT)
    end
end

function request()
    if verify_pending then
        verify_pending = false
        return wrk.format("GET", prefix .. first)
    end
    if sent >= share then
        -- Nothing left: an empty write keeps this connection idle until the thread stops.
        return ""
    end
    if sent == 0 then started_at = now() end
    local path = prefix .. (first + next_offset)
    next_offset = next_offset + stride
    sent = sent + 1
    return wrk.format("GET", path)
end

-- Header names as sent by the server, keyed by their lower-case form (found once, then looked up directly).
local header_names = {}

local function header(headers, lower_name)
    local name = header_names[lower_name]
    if name and headers[name] then return headers[name] end
    for key, value in pairs(headers) do
        if string.lower(key) == lower_name then
            header_names[lower_name] = key
            return value
        end
    end
    return nil
end

function response(status, headers, body)
    received = received + 1
    last_response_at = now()
    local problem = nil
    if status ~= 200 then
        problem = "status " .. status
    elseif #body ~= bytes then
        problem = "body " .. #body .. " bytes"
    else
        for _, check in ipairs(checks) do
            local value = header(headers, check.name)
            if value == nil or not string.find(value, check.pattern) then
                problem = check.name .. ": " .. tostring(value)
                break
            end
        end
    end
    if problem then
        failed = failed + 1
        if first_bad == "" then first_bad = problem end
    else
        good = good + 1
    end
    if received >= share then finish() end
end
