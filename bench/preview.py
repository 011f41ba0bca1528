#!/usr/bin/env python3
"""Live-preview latency of `cong serve`: from an editor's write() returning to the reload
event arriving at a server-sent-events client in another process.

    python3 bench/preview.py --articles 10000 [--edits 25] [--template-edits 25]

Reuses the portal bench/build.sh generated (bench/out/n<N>/cong) when it exists, else
generates one; either way it works on a fresh copy under bench/out/preview-n<N>/. Starts
`target/release/cong serve`, waits for /__cong/status, opens /__cong/events in a separate
Python process that prints a CLOCK_MONOTONIC timestamp for every event line, then appends a
distinct sentence to one article per edit, waits for the reload, pauses 300 ms, and reads
`rendered`/`pages` from /__cong/status. Then the same for edits of a partial template
(themes/default/templates/partials/services.html, created for the run).
"""

import argparse
import http.client
import json
import math
import os
import queue
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CONG = os.path.join(ROOT, "target", "release", "cong")

CLIENT = r"""
import http.client, sys, time
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=None)
conn.request("GET", "/__cong/events", headers={"Accept": "text/event-stream"})
resp = conn.getresponse()
event = None
while True:
    line = resp.fp.readline()
    if not line:
        break
    t = time.monotonic()
    line = line.decode("utf-8", "replace").rstrip("\r\n")
    if line.startswith("event:"):
        event = (line[6:].strip(), t)
    elif line.startswith("data:") and event:
        print(f"{event[1]:.6f} {event[0]} {line[5:].strip()}", flush=True)
        event = None
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def status(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", "/__cong/status")
    r = c.getresponse()
    body = r.read()
    c.close()
    return json.loads(body)


def pct(values, p):
    """Nearest-rank percentile."""
    v = sorted(values)
    return v[max(0, math.ceil(p / 100 * len(v)) - 1)]


def vm_hwm(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmHWM", "VmRSS")):
                    yield line.split(":")[0], int(line.split()[1]) // 1024
    except OSError:
        return


class Events:
    def __init__(self, port):
        self.q = queue.Queue()
        self.stale = 0
        self.proc = subprocess.Popen([sys.executable, "-u", "-c", CLIENT, str(port)],
                                     stdout=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            t, name, data = line.rstrip("\n").split(" ", 2)
            self.q.put((float(t), name, data))

    def wait(self, after, timeout=15.0, generation=-1):
        """The first event stamped after `after` whose generation is above `generation`
        (skipping older ones), or None."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                t, name, data = self.q.get(timeout=left)
            except queue.Empty:
                return None
            try:
                gen = json.loads(data).get("generation", 0)
            except ValueError:
                gen = 0
            if t >= after and gen > generation:
                return t, name, data
            self.stale += 1

    def drain(self):
        out = []
        while True:
            try:
                out.append(self.q.get_nowait())
            except queue.Empty:
                return out

    def close(self):
        self.proc.kill()
        self.proc.wait()


def run_edits(label, port, events, server_log, edits, make_edit):
    lat, rendered, pages, rebuilt = [], [], [], []
    failures = extra = 0
    events.stale = 0
    for k in range(edits):
        events.drain()
        log_mark = os.path.getsize(server_log)
        g0 = status(port)["generation"]
        path, text = make_edit(k)
        open(path, "w", encoding="utf-8").write(text)
        t0 = time.monotonic()
        ev = events.wait(t0, generation=g0)
        if ev is None:
            print(f"  {label} {k + 1}: no event within 15 s", file=sys.stderr)
            failures += 1
            continue
        t, name, data = ev
        if name != "reload":
            print(f"  {label} {k + 1}: got `{name}` {data[:200]}", file=sys.stderr)
            failures += 1
            time.sleep(0.3)
            continue
        time.sleep(0.3)
        extra += sum(1 for e in events.drain() if e[1] == "reload")
        st = status(port)
        ms = (t - t0) * 1000
        lat.append(ms)
        rendered.append(st["rendered"])
        pages.append(st["pages"])
        with open(server_log, encoding="utf-8", errors="replace") as f:
            f.seek(log_mark)
            m = re.findall(r"rebuilt in ([0-9.]+)(ms|µs|s)", f.read())
        if m:
            v, unit = m[-1]
            rebuilt.append(float(v) * {"ms": 1, "µs": 0.001, "s": 1000}[unit])
        print(f"  {label} {k + 1:2d}: {ms:7.1f} ms  generation {g0}->{json.loads(data)['generation']}  rendered {st['rendered']} of {st['pages']} pages"
              + (f"  (server: rebuilt in {rebuilt[-1]:.1f} ms)" if m else ""), file=sys.stderr)
    return {"lat": lat, "rendered": rendered, "pages": pages, "rebuilt": rebuilt,
            "failures": failures, "extra": extra, "stale": events.stale}


def summary_row(label, res):
    lat = res["lat"]
    if not lat:
        return f"| {label} | 0 | – | – | – | – | – | – |"
    pages = res["pages"][-1]
    r_med = statistics.median(res["rendered"])
    server = f"{statistics.median(res['rebuilt']):.1f}" if res["rebuilt"] else "–"
    return (f"| {label} | {len(lat)} | {statistics.median(lat):.1f} | {pct(lat, 95):.1f} | "
            f"{max(lat):.1f} | {server} | {r_med:g} of {pages} ({100 * r_med / pages:.2f}%) | "
            f"{res['failures']} failed, {res['extra']} extra reloads, {res['stale']} stale events skipped |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--edits", type=int, default=25)
    ap.add_argument("--template-edits", type=int, default=None, help="default: as --edits")
    ap.add_argument("--units", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    t_edits = a.edits if a.template_edits is None else a.template_edits

    if not os.path.exists(CONG):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    out = os.path.join(HERE, "out")
    cached = os.path.join(out, f"n{a.articles}", "cong")
    if not (os.path.isdir(cached) and any(n.startswith(".generated-") for n in
                                          os.listdir(os.path.dirname(cached)))):
        cached = os.path.join(out, f"preview-src-n{a.articles}")
        if not os.path.isdir(os.path.join(cached, "content")):
            print(f"# generating {a.articles} articles into {cached}", file=sys.stderr)
            subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), "--articles", str(a.articles),
                            "--units", str(a.units), "--seed", str(a.seed), "--out", cached], check=True)
    work = os.path.join(out, f"preview-n{a.articles}")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(os.path.join(cached, "content"), os.path.join(work, "content"))
    print(f"# portal: {work} (copy of {cached})", file=sys.stderr)

    port = a.port or free_port()
    server_log = os.path.join(out, f"preview-n{a.articles}.log")
    logf = open(server_log, "w")
    started = time.monotonic()
    server = subprocess.Popen([CONG, "serve", "--root", work, "--port", str(port)],
                              stdout=logf, stderr=subprocess.STDOUT)
    events = None
    try:
        st = None
        while time.monotonic() - started < 600:
            if server.poll() is not None:
                sys.exit(f"cong serve exited with {server.returncode}; see {server_log}")
            try:
                st = status(port)
                if st.get("generation", 0) >= 1:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        boot = time.monotonic() - started
        mem0 = dict(vm_hwm(server.pid))
        print(f"# cong serve answered after {boot:.1f} s: {st['pages']} pages, ok={st['ok']}, "
              f"memory {mem0}", file=sys.stderr)
        events = Events(port)
        hello = events.wait(0, timeout=10)
        if not hello:
            sys.exit("no `hello` on /__cong/events")

        rng = random.Random(a.seed)
        articles = []
        for d, _, files in os.walk(os.path.join(work, "content")):
            articles += [os.path.join(d, f) for f in files if f.endswith(".md")]
        articles.sort()
        chosen = rng.sample(articles, a.edits)

        def article_edit(k):
            p = chosen[k]
            with open(p, encoding="utf-8") as f:
                text = f.read()
            return p, (text.rstrip("\n") + f"\n\nCập nhật lần {k + 1}: Bộ phận Một cửa tiếp nhận thêm "
                       f"{rng.randint(3, 90)} hồ sơ trực tuyến trong buổi sáng ngày {rng.randint(1, 28)}.\n")

        print(f"# {a.edits} article edits", file=sys.stderr)
        res_a = run_edits("article", port, events, server_log, a.edits, article_edit)

        partial = os.path.join(work, "themes", "default", "templates", "partials", "services.html")
        with open(os.path.join(ROOT, "themes", "default", "templates", "partials", "services.html"),
                  encoding="utf-8") as f:
            base = f.read()
        os.makedirs(os.path.dirname(partial), exist_ok=True)
        events.drain()
        open(partial, "w", encoding="utf-8").write(base)
        t0 = time.monotonic()
        ev = events.wait(t0, timeout=20)
        print(f"# created {partial}: "
              + (f"{ev[1]} after {(ev[0] - t0) * 1000:.0f} ms" if ev else "no event within 20 s"),
              file=sys.stderr)
        time.sleep(1.0)

        def template_edit(k):
            return partial, base.rstrip("\n") + f"\n<!-- bench edit {k + 1} -->\n"

        print(f"# {t_edits} template edits", file=sys.stderr)
        res_t = run_edits("template", port, events, server_log, t_edits, template_edit)
        mem1 = dict(vm_hwm(server.pid))

        print()
        print(f"`cong serve` at {st['pages']} pages ({a.articles} articles); latency from write() "
              f"returning to the SSE `reload` event in another process; {os.cpu_count()} cores")
        print()
        print("| edit | n | median ms | p95 ms | max ms | server rebuild median ms | pages re-rendered (median) | notes |")
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        print(summary_row("article body", res_a))
        print(summary_row("partial template (services.html)", res_t))
        print()
        print(f"Server start to first answer: {boot:.1f} s; server memory after start "
              f"{mem0.get('VmHWM', '?')} MiB peak, after the edits {mem1.get('VmHWM', '?')} MiB peak "
              f"({mem1.get('VmRSS', '?')} MiB resident).")
        if res_a["lat"]:
            ok = statistics.median(res_a["lat"]) < 100 and pct(res_a["lat"], 95) < 250
            print(f"Target (article edits: median < 100 ms, p95 < 250 ms): {'met' if ok else 'NOT met'}.")
    finally:
        if events:
            events.close()
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        logf.close()


if __name__ == "__main__":
    main()
