-- wrk script for the bench: POSTs one request body (read from a file) on
-- every request and stops the thread once it has sent a capped number of
-- requests. Arguments after "--": <body file> <max requests> ["name: value" ...]
-- (request headers sent on every request, e.g. a bearer token).
-- Reaching the cap prints "WRK_CAP": wrk itself would still sleep until the
-- end of -d, so scripts/bench/wrk.ts answers with SIGINT, which ends wrk's
-- wait and makes it report the real elapsed time.
-- done() prints one line "WRK_JSON {...}" that scripts/bench/wrk.ts parses.
local req
local cap
local sent = 0

function init(args)
  local f = assert(io.open(args[1], "rb"))
  local body = f:read("*a")
  f:close()
  cap = tonumber(args[2])
  local headers = { ["Content-Type"] = "application/json" }
  for i = 3, #args do
    local name, value = string.match(args[i], "^([^:]+): (.*)$")
    if name then headers[name] = value end
  end
  req = wrk.format("POST", nil, headers, body)
end

function request()
  sent = sent + 1
  if sent == cap then
    wrk.thread:stop()
    io.write("WRK_CAP\n")
    io.flush()
  end
  return req
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%.0f,"durationUs":%.0f,"bytes":%.0f,' ..
    '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f},' ..
    '"latencyUs":{"min":%.0f,"mean":%.3f,"p50":%.0f,"p90":%.0f,"p99":%.0f,"max":%.0f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
