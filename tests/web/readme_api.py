#!/usr/bin/python3
"""Runs every curl call of README.md's "The HTTP API" block against a real `ferry server`, as a
user would paste them: each must answer 2xx. The instance ids, business date and port of the
README are replaced by ones of this server whose state fits the call (a running instance to stop,
a finished one to rerun, one that has not run to freeze).

Usage: readme_api.py --ferry BUILD/ferry --readme README.md
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def job(records, throttle=None):
    setting = {"speed": {"concurrent": 1}}
    if throttle:
        setting["speed"]["record"] = throttle  # records per second, job-wide
    return {
        "type": "job", "version": "2.0",
        "steps": [
            {"stepType": "stream", "category": "reader", "name": "Reader",
             "parameter": {"column": [{"type": "long", "value": "1"},
                                      {"type": "string", "value": "${bizdate}"}],
                           "sliceRecordCount": records}},
            {"stepType": "stream", "category": "writer", "name": "Writer",
             "parameter": {"print": False}}],
        "setting": setting,
        "order": {"hops": [{"from": "Reader", "to": "Writer"}]}}


SCHEDULE = """nodes:
  - {name: ods_orders, job: quick.json, cron: "0 2 * * *", params: "bizdate=$bizdate"}
  - {name: dw_orders, job: quick.json, cron: "0 3 * * *", params: "bizdate=$bizdate", upstream: ods_orders}
  - {name: slow, job: slow.json, cron: "0 5 * * *", params: "bizdate=$bizdate"}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return json.loads(r.read())


def post(base, path, body):
    req = urllib.request.Request(base + path, method="POST", data=json.dumps(body).encode(),
                                 headers={"X-Ferry-Request": "1"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def readme_calls(readme):
    text = open(readme, encoding="utf-8").read()
    m = re.search(r"```sh\n(API=http://127\.0\.0\.1:8321/api.*?)```", text, re.S)
    if not m:
        sys.exit("README.md: no ```sh block starting with API=http://127.0.0.1:8321/api")
    lines = m.group(1).strip().splitlines()
    return lines[0], [l for l in lines[1:] if l.startswith("curl ")]


def wait_for(what, fn, timeout=90):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.3)
    sys.exit("timed out waiting for " + what)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ferry", required=True)
    ap.add_argument("--readme", required=True)
    a = ap.parse_args()
    prelude, calls = readme_calls(a.readme)
    if len(calls) < 10:
        sys.exit(f"README.md: only {len(calls)} curl calls found")
    work = tempfile.mkdtemp(prefix="ferry-readme-api-")
    server = None
    try:
        project = os.path.join(work, "project")
        os.makedirs(project)
        json.dump(job(2000), open(os.path.join(project, "quick.json"), "w"))
        json.dump(job(1000000, throttle=20), open(os.path.join(project, "slow.json"), "w"))
        open(os.path.join(project, "schedule.yaml"), "w").write(SCHEDULE)
        store = os.path.join(work, "store", "scheduler.db")
        os.makedirs(os.path.dirname(store))
        r = subprocess.run([a.ferry, "deploy", project, "--store", store], capture_output=True,
                           text=True, timeout=60)
        if r.returncode != 0:
            sys.exit("ferry deploy failed: " + r.stderr)
        port = free_port()
        log = open(os.path.join(work, "server.log"), "w")
        server = subprocess.Popen([a.ferry, "server", "--store", store, "--listen",
                                   f"127.0.0.1:{port}", "--tick-ms", "200"],
                                  stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        wait_for("the server", lambda: _try(lambda: get(base, "/api/nodes")))
        # Instances in every state the calls need: two business dates of ods_orders -> dw_orders
        # that finish, one run of `slow` that keeps running, and tomorrow's cycles not yet run.
        post(base, "/api/backfill", {"nodes": ["ods_orders"], "from": "20251030",
                                     "to": "20251031", "downstream": True, "parallel": 2})
        post(base, "/api/backfill", {"nodes": ["slow"], "from": "20251031", "to": "20251031"})

        def instances():
            return get(base, "/api/instances")["instances"]

        def ready():
            ins = instances()
            done = [i for i in ins if i["node"] != "slow" and i["backfill_id"]
                    and i["state"] == "succeeded"]
            running = [i for i in ins if i["node"] == "slow" and i["state"] == "running"]
            return len(done) == 4 and running and ins

        ins = wait_for("finished and running instances", ready)
        done = sorted((i for i in ins if i["node"] == "ods_orders" and i["backfill_id"]),
                      key=lambda i: i["id"])
        dw = [i for i in ins if i["node"] == "dw_orders" and i["backfill_id"]
              and i["bizdate"] == done[0]["bizdate"]]
        slow = [i for i in ins if i["node"] == "slow" and i["state"] == "running"][0]
        waiting = [i for i in ins if i["state"] in ("waiting_time", "not_run")
                   and not i["backfill_id"]][0]
        ids = {"stop": slow["id"], "rerun": done[0]["id"], "rerun-downstream": done[1]["id"],
               "set-succeeded": dw[0]["id"], "freeze": waiting["id"]}
        failures = []
        for call in calls:
            m = re.search(r"/instances/12/([a-z-]+)", call)
            iid = ids.get(m.group(1), done[0]["id"]) if m else done[0]["id"]
            line = (call.replace("/instances/12", f"/instances/{iid}")
                    .replace("20251031", done[0]["bizdate"])
                    .replace("curl -s ", "curl -sS --fail-with-body -o /dev/null ", 1))
            script = prelude.replace("8321", str(port)) + "\n" + line
            r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
            print(("ok    " if r.returncode == 0 else "FAIL  ") + line)
            if r.returncode != 0:
                failures.append(f"{call}\n  -> exit {r.returncode}: {r.stderr.strip()}")
        if failures:
            sys.exit("README calls that failed:\n" + "\n".join(failures))
        print(f"all {len(calls)} README API calls answered 2xx")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
            # The slow run keeps its own process group; stop it too.
            subprocess.run(["pkill", "-f", os.path.join(work, "store")], check=False)
        shutil.rmtree(work, ignore_errors=True)


def _try(fn):
    try:
        return fn()
    except Exception:  # the server is not up yet
        return None


if __name__ == "__main__":
    main()
