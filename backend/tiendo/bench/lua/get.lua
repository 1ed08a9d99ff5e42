-- GET the paths of BENCH_PATHS (a file, one path a line) in turn, with BENCH_TOKEN.
local paths, counter = {}, 0

function init(args)
  for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
  local token = os.getenv("BENCH_TOKEN")
  if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

done = dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
