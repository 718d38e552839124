-- checkout.lua: the flash sale of `make bench`: every request is the real checkout form of the event
-- page, posted as a guest to POST /evenements/{slug}/commander.
--
-- BENCH_BODY names a file holding the form's body as bench/form.py read it from the event page
-- (url-encoded, one line), where __IDEM__ stands for the idempotency key and __N__ for a number
-- that makes the buyer's name and e-mail unique. BENCH_CSRF is the token sent both in the kq_csrf
-- cookie and in the form's _csrf field (the double-submit check of src/web/routes.c); BENCH_ORIGIN
-- is the Origin header the same-origin check expects (http://<Host>). BENCH_KEY_PREFIX makes the
-- keys of one run unique (thread number and a counter complete them).
--
-- response() sorts the answers: 303 (the order was made: redirect to its page) counts as a sale,
-- with the time it arrived (CLOCK_MONOTONIC through LuaJIT's ffi, the same clock in every thread);
-- 409 whose page says BENCH_SOLDOUT (the catalog's sold-out message) counts as a clean sold-out;
-- every other answer is counted by status. done() prints the usual BENCH_JSON line and a
-- BENCH_SALE line: sales, sold-outs, other answers, and the first and last sale in milliseconds.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } kq_bench_timespec;
int clock_gettime(int clk_id, kq_bench_timespec *tp);
]]
local ts = ffi.new("kq_bench_timespec")
local function now_ms()
	ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
	return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads = {}
local counter = 0
function setup(thread)
	counter = counter + 1
	thread:set("thread_no", counter)
	threads[#threads + 1] = thread
end

local prefix, body_tpl, headers
function init(args)
	local f = assert(io.open(os.getenv("BENCH_BODY"), "r"))
	body_tpl = f:read("*l")
	f:close()
	local csrf = os.getenv("BENCH_CSRF")
	headers = {
		["Content-Type"] = "application/x-www-form-urlencoded",
		["Cookie"] = "kq_csrf=" .. csrf,
		["Origin"] = os.getenv("BENCH_ORIGIN"),
	}
	prefix = (os.getenv("BENCH_KEY_PREFIX") or "bench") .. "-" .. thread_no .. "-"
	soldout_text = os.getenv("BENCH_SOLDOUT") or ""
end

local n = 0
function request()
	n = n + 1
	local body = body_tpl:gsub("__IDEM__", prefix .. n):gsub("__N__", thread_no .. "-" .. n)
	return wrk.format("POST", wrk.path, headers, body)
end

sales, soldout, other409, first_ms, last_ms = 0, 0, 0, 0, 0
others = ""
local other_counts = {}
function response(status, hdrs, body)
	if status == 303 then
		local t = now_ms()
		if sales == 0 then
			first_ms = t
		end
		last_ms = t
		sales = sales + 1
	elseif status == 409 and soldout_text ~= "" and body and body:find(soldout_text, 1, true) then
		soldout = soldout + 1
	else
		other_counts[status] = (other_counts[status] or 0) + 1
		local parts = {}
		for s, c in pairs(other_counts) do
			parts[#parts + 1] = string.format('"%d":%d', s, c)
		end
		others = table.concat(parts, ",")
	end
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
	local s, so, first, last = 0, 0, nil, nil
	local merged = {}
	for _, t in ipairs(threads) do
		local ts_ = t:get("sales") or 0
		s = s + ts_
		so = so + (t:get("soldout") or 0)
		if ts_ > 0 then
			local f, l = t:get("first_ms"), t:get("last_ms")
			if not first or f < first then first = f end
			if not last or l > last then last = l end
		end
		for st, c in string.gmatch(t:get("others") or "", '"(%d+)":(%d+)') do
			merged[st] = (merged[st] or 0) + tonumber(c)
		end
	end
	local parts = {}
	for st, c in pairs(merged) do
		parts[#parts + 1] = string.format('"%s":%d', st, c)
	end
	io.write(string.format('BENCH_SALE {"sales":%d,"soldout":%d,"others":{%s},"first_ms":%.3f,"last_ms":%.3f}\n',
		s, so, table.concat(parts, ","), first or 0, last or 0))
end
