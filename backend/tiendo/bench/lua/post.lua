-- POST a JSON body per request. BENCH_BODIES: a file of bodies, one a line, each sent once
-- (thread t of n sends lines offset+t, offset+t+n, …); else BENCH_BODY for every request.
-- BENCH_TOKEN: a bearer token. Prints one WRKJSON line for tiendo.bench.wrk to read.
local bodies, counter, step, static = {}, 0, 1, nil
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  step = tonumber(os.getenv("BENCH_THREADS") or "1")
  static = os.getenv("BENCH_BODY")
  counter = tonumber(os.getenv("BENCH_OFFSET") or "0") + (tid or 0)
  local file = os.getenv("BENCH_BODIES")
  if file and file ~= "" then
    for line in io.lines(file) do bodies[#bodies + 1] = line end
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  local token = os.getenv("BENCH_TOKEN")
  if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
end

function request()
  local body = static
  if #bodies > 0 then
    body = bodies[(counter % #bodies) + 1]
    counter = counter + step
  end
  return wrk.format(nil, nil, nil, body)
end

done = dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
