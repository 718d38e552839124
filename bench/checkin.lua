-- checkin.lua: the check-in rush of `make bench`: box-office scans posted to the JSON API,
-- POST /api/v1/events/{slug}/checkins {"code": "...", "gate": "A"} with the box-office member's
-- token (Authorization: Bearer, BENCH_TOKEN).
--
-- BENCH_CODES names a file with the ticket codes of the event, one a line, in the order people
-- arrive. With BENCH_THREADS threads, thread t scans codes t, t + BENCH_THREADS, ... in turn and
-- starts again from its first code when it has scanned all of its share (a second scan of a ticket
-- then answers "already_used"). BENCH_SCAN_UNKNOWN=1 sends codes that no ticket has (each code read
-- backwards), so the warm-up checks nobody in. Gates A to D by thread and request.
--
-- response() counts the answers by their "result" (and by status when there is none); done() prints
-- the usual BENCH_JSON line and a BENCH_SCAN line with those counts.

local codes = {}
local file = os.getenv("BENCH_CODES")
if file and file ~= "" then
	for line in io.lines(file) do
		if line ~= "" then
			codes[#codes + 1] = line
		end
	end
end
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2") or 2
local warmup = os.getenv("BENCH_SCAN_UNKNOWN") == "1"

local threads = {}
local counter = 0
function setup(thread)
	counter = counter + 1
	thread:set("thread_no", counter)
	threads[#threads + 1] = thread
end

local mine, headers = {}, nil
local gates = { "A", "B", "C", "D" }
function init(args)
	for i = thread_no, #codes, nthreads do
		mine[#mine + 1] = warmup and codes[i]:reverse() or codes[i]
	end
	if #mine == 0 then
		mine[1] = "UNKNOWNCODE"
	end
	headers = {
		["Content-Type"] = "application/json",
		["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
	}
end

local n = 0
function request()
	n = n + 1
	local code = mine[(n - 1) % #mine + 1]
	local body = string.format('{"code":"%s","gate":"%s"}', code, gates[(thread_no + n) % 4 + 1])
	return wrk.format("POST", wrk.path, headers, body)
end

results = ""
local counts = {}
function response(status, hdrs, body)
	local r = body and body:match('"result"%s*:%s*"([%w_]+)"')
	local key = r or ("status " .. status)
	counts[key] = (counts[key] or 0) + 1
	local parts = {}
	for k, c in pairs(counts) do
		parts[#parts + 1] = string.format('"%s":%d', k, c)
	end
	results = table.concat(parts, ",")
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
	local merged = {}
	for _, t in ipairs(threads) do
		for k, c in string.gmatch(t:get("results") or "", '"([^"]+)":(%d+)') do
			merged[k] = (merged[k] or 0) + tonumber(c)
		end
	end
	local parts = {}
	for k, c in pairs(merged) do
		parts[#parts + 1] = string.format('"%s":%d', k, c)
	end
	io.write('BENCH_SCAN {' .. table.concat(parts, ",") .. '}\n')
end
