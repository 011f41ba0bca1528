-- wrk script for bench/counter-load.sh: POST /hit over varied pages of two units,
-- each with its own hit id, as the page script sends them.
local pages = {}
local unit_pages = tonumber(os.getenv("BENCH_PAGES") or "50")
for i = 1, unit_pages do
  pages[#pages + 1] = string.format('{"unit":"/","path":"/tin-tuc/bai-%d/"', i)
  pages[#pages + 1] = string.format('{"unit":"/xa-hoa-thuong/","path":"/xa-hoa-thuong/tin-tuc/bai-%d/"', i)
end

local threads = {}
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_no", next_thread)
  table.insert(threads, thread)
end

function init(args)
  run = string.format("%x%x", os.time(), math.random(0, 0xffff))
  n = 0
  wrk.method = "POST"
  wrk.path = "/hit"
  wrk.headers["Content-Type"] = "text/plain"
  wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
end

local with_ids = os.getenv("BENCH_IDS") ~= "0"

function request()
  n = n + 1
  local body = pages[(n % #pages) + 1]
  if with_ids then
    body = body .. string.format(',"id":"%s-%d-%d"}', run, thread_no, n)
  else
    body = body .. "}"
  end
  return wrk.format(nil, nil, nil, body)
end
