-- ingest.lua: wrk script of `make bench-gateway`. POSTs realistic Salpre events (templates written
-- by `gateway_bench.py prepare`: gen_salpre.py's traffic, many calls interleaved, every kind) to
-- the path in the wrk URL, each request a NEW event: the template's call id is replaced by
-- key * 1,000,000 + call id, key = (round * 64 + thread) * 10,000 + lap (as in gateway_bench.py), so
-- no two requests of a run share an identity. Counts the answers by status and prints, at the end,
-- one line "statuses 202=N 200=N other=N".
--
-- Environment: BENCH_EVENTS (the templates file), BENCH_HEADER ("Name: value" of the source's
-- token), BENCH_ROUND (a number distinct for every wrk run of one benchmark run; at most 9,999).

local templates_path = os.getenv("BENCH_EVENTS")
local header = os.getenv("BENCH_HEADER")
local round = tonumber(os.getenv("BENCH_ROUND") or "")
local threads = {}
local next_thread = 0

function setup(thread)
   thread:set("thread_number", next_thread)
   next_thread = next_thread + 1
   table.insert(threads, thread)
end

local originals, befores, afters = {}, {}, {}
local count, position, lap = 0, 0, 0
local headers = {["Content-Type"] = "application/json"}
accepted, duplicates, others = 0, 0, 0

function init(args)
   assert(templates_path and header and round, "BENCH_EVENTS, BENCH_HEADER and BENCH_ROUND must be set")
   assert(thread_number < 64 and round < 10000, "at most 64 threads and rounds below 10,000")
   local name, value = header:match("^([^:]+):%s*(.*)$")
   headers[name] = value
   for line in io.lines(templates_path) do
      local original, before, after = line:match("^(%d+)\t([^\t]*)\t([^\t]*)$")
      count = count + 1
      originals[count], befores[count], afters[count] = tonumber(original), before, after
   end
   assert(count > 0, "no templates in " .. templates_path)
end

function request()
   position = position + 1
   if position > count then
      position, lap = 1, lap + 1
   end
   local key = (round * 64 + thread_number) * 10000 + lap
   local id = string.format("%.0f", key * 1000000 + originals[position])
   return wrk.format("POST", nil, headers, befores[position] .. id .. afters[position])
end

function response(status, response_headers, body)
   if status == 202 then
      accepted = accepted + 1
   elseif status == 200 then
      duplicates = duplicates + 1
   else
      others = others + 1
   end
end

function done(summary, latency, requests)
   local a, d, o = 0, 0, 0
   for _, thread in ipairs(threads) do
      a = a + thread:get("accepted")
      d = d + thread:get("duplicates")
      o = o + thread:get("others")
   end
   io.write(string.format("statuses 202=%d 200=%d other=%d\n", a, d, o))
end
