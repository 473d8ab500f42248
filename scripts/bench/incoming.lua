-- incoming.lua: wrk script for `make bench-incoming`. Sends pre-signed Inkbox incoming_call requests
-- (one per line of the file: request id, timestamp, signature, body, tab-separated), each line once
-- per run (lines are split between wrk's threads), and counts the answers.
-- Arguments (after --): FILE PATH THREADS
local threads = {}
local counter = 0

function setup(thread)
    thread:set("id", counter)
    counter = counter + 1
    table.insert(threads, thread)
end

function init(args)
    local file, path, nthreads = args[1], args[2], tonumber(args[3])
    requests = {}
    local n = 0
    for line in io.lines(file) do
        if n % nthreads == id then
            local rid, ts, sig, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
            table.insert(requests, wrk.format("POST", path, {
                ["Content-Type"] = "application/json", ["X-Inkbox-Request-ID"] = rid,
                ["X-Inkbox-Timestamp"] = ts, ["X-Inkbox-Signature"] = sig}, body))
        end
        n = n + 1
    end
    index = 0
    answered = 0
    other = 0
    wrapped = 0
end

function request()
    index = index + 1
    if index > #requests then
        index = 1
        wrapped = wrapped + 1
    end
    return requests[index]
end

function response(status, headers, body)
    if status == 200 and body:find('"answer"', 1, true) then answered = answered + 1 else other = other + 1 end
end

function done(summary, latency, requests)
    local a, o, w = 0, 0, 0
    for _, t in ipairs(threads) do
        a = a + t:get("answered")
        o = o + t:get("other")
        w = w + t:get("wrapped")
    end
    io.write(string.format("RESULT requests=%d answered=%d other=%d wrapped=%d socket_errors=%d p50_us=%d p99_us=%d max_us=%d\n",
        summary.requests, a, o, w, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        latency:percentile(50), latency:percentile(99), latency.max))
end
