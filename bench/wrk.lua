-- wrk.lua: the one wrk script of `make bench`: random paths from a file, and one JSON line of results.
--
-- BENCH_PATHS names a file with one URL path per line (e.g. 2,000 /organisations/<slug>); each
-- request takes one at random, so the organisation page is measured with a working set rather
-- than one hot row. Every scenario goes through this script, even those with a single path, so
-- that wrk's own per-request cost (one Lua call) is the same in all of them and the ratios to
-- /healthz in one run compare like with like. The requests are formatted once per thread in
-- init(), not per request.
--
-- done() prints one line "BENCH_JSON {...}" that bench/run.sh parses: request count, duration,
-- socket errors, wrk's count of HTTP statuses >= 400, and latency percentiles in microseconds.
-- (wrk's own --latency table is printed above it and kept in the raw output.)

local paths = {}
local file = os.getenv("BENCH_PATHS")
if file and file ~= "" then
	for line in io.lines(file) do
		if line ~= "" then
			paths[#paths + 1] = line
		end
	end
end

-- BENCH_COOKIE: a Cookie header sent with every request (a signed-in person's session).
local headers = {}
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then
	headers["Cookie"] = cookie
end

local counter = 0
function setup(thread)
	counter = counter + 1
	thread:set("thread_no", counter)
end

local reqs = {}
function init(args)
	for i, p in ipairs(paths) do
		reqs[i] = wrk.format("GET", p, headers)
	end
	if #reqs == 0 then
		reqs[1] = wrk.format("GET", wrk.path, headers)
	end
	math.randomseed(os.time() * 1000 + (thread_no or 0))
end

function request()
	return reqs[math.random(#reqs)]
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
		'"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
		'"latency_us":{"min":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
		summary.requests, summary.duration, summary.bytes,
		e.connect, e.read, e.write, e.status, e.timeout,
		latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
		latency:percentile(99), latency.max))
end
