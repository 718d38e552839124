-- contribute.lua: the contribution rush of `make bench`: backers post the real contribute form of a
-- campaign page (POST /soutenir/{slug}/contribuer) as guests with the demo card, then press the demo
-- card's button (POST /contributions/{secret}/paiement-demo), which captures the payment: the
-- contribution becomes paid and its ledger row is written.
--
-- BENCH_BODY names a file holding the form's body as bench/contribute.py read it from the page,
-- where __IDEM__ stands for the idempotency key, __N__ for a number that makes the backer unique,
-- __TIER__ and __AMOUNT__ for the reward chosen and its amount. Backers go for the limited tier
-- (BENCH_TIER, BENCH_AMOUNT) until a thread is told it is gone (a 409 whose page says BENCH_FULL,
-- the catalog's message), then for the unlimited one (BENCH_TIER_OPEN, BENCH_AMOUNT_OPEN), so the
-- rate is measured past the moment the tier runs out. BENCH_CSRF, BENCH_ORIGIN and
-- BENCH_KEY_PREFIX as in bench/checkout.lua.
--
-- A contribution is two requests. response() tells them apart by the answer: a 303 to
-- .../paiement-demo started a contribution (its payment page is queued in this thread); a 303 to
-- /contributions/<secret> is a payment captured (counted, with the time it arrived). request()
-- sends the queued payments first, then new contributions. done() prints BENCH_JSON and a
-- BENCH_CONTRIB line: started, paid, tier-full answers, other answers, first and last payment (ms).

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } kq_bench_ts2;
int clock_gettime(int clk_id, kq_bench_ts2 *tp);
]]
local ts = ffi.new("kq_bench_ts2")
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

local prefix, body_tpl, headers, pay_body, full_text
local tier, amount, tier_open, amount_open
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
	pay_body = "_csrf=" .. csrf
	prefix = (os.getenv("BENCH_KEY_PREFIX") or "bench") .. "-" .. thread_no .. "-"
	full_text = os.getenv("BENCH_FULL") or ""
	tier, amount = os.getenv("BENCH_TIER"), os.getenv("BENCH_AMOUNT")
	tier_open, amount_open = os.getenv("BENCH_TIER_OPEN"), os.getenv("BENCH_AMOUNT_OPEN")
end

local queue, qhead, qtail = {}, 1, 0
local n = 0
full = 0
function request()
	if qhead <= qtail then
		local path = queue[qhead]
		queue[qhead] = nil
		qhead = qhead + 1
		return wrk.format("POST", path, headers, pay_body)
	end
	n = n + 1
	local t, a = tier, amount
	if full > 0 then
		t, a = tier_open, amount_open
	end
	local body = body_tpl:gsub("__IDEM__", prefix .. n):gsub("__N__", thread_no .. "-" .. n)
		:gsub("__TIER__", t):gsub("__AMOUNT__", a)
	return wrk.format("POST", wrk.path, headers, body)
end

started, paid, first_ms, last_ms = 0, 0, 0, 0
others = ""
local other_counts = {}
function response(status, hdrs, body)
	local loc = hdrs["Location"] or hdrs["location"] or ""
	if status == 303 then
		local pay = loc:match("(/contributions/[^/?#]+/paiement%-demo)")
		if pay then
			started = started + 1
			qtail = qtail + 1
			queue[qtail] = pay
			return
		end
		if loc:match("/contributions/[^/?#]+$") then
			local t = now_ms()
			if paid == 0 then
				first_ms = t
			end
			last_ms = t
			paid = paid + 1
			return
		end
	elseif status == 409 and full_text ~= "" and body and body:find(full_text, 1, true) then
		full = full + 1
		return
	end
	other_counts[status] = (other_counts[status] or 0) + 1
	local parts = {}
	for s, c in pairs(other_counts) do
		parts[#parts + 1] = string.format('"%d":%d', s, c)
	end
	others = table.concat(parts, ",")
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
	local st, pd, fu, first, last = 0, 0, 0, nil, nil
	local merged = {}
	for _, t in ipairs(threads) do
		st = st + (t:get("started") or 0)
		fu = fu + (t:get("full") or 0)
		local tp = t:get("paid") or 0
		pd = pd + tp
		if tp > 0 then
			local f, l = t:get("first_ms"), t:get("last_ms")
			if not first or f < first then first = f end
			if not last or l > last then last = l end
		end
		for s, c in string.gmatch(t:get("others") or "", '"(%d+)":(%d+)') do
			merged[s] = (merged[s] or 0) + tonumber(c)
		end
	end
	local parts = {}
	for s, c in pairs(merged) do
		parts[#parts + 1] = string.format('"%s":%d', s, c)
	end
	io.write(string.format('BENCH_CONTRIB {"started":%d,"paid":%d,"full":%d,"others":{%s},' ..
		'"first_ms":%.3f,"last_ms":%.3f}\n', st, pd, fu, table.concat(parts, ","), first or 0, last or 0))
end
