#!/usr/bin/python3
"""The operations page in headless Chromium: load it, see the instances, rerun one through the
confirmation, watch it succeed again, and keep a screenshot. Also checks that the API answers bad
input with a 4xx and a message, and refuses state changes without the anti-CSRF header.

Usage: ops_page.py --ferry BUILD/ferry --screenshot OUT.png
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

JOB = {
    "type": "job", "version": "2.0",
    "steps": [
        {"stepType": "stream", "category": "reader", "name": "Reader",
         "parameter": {"column": [{"type": "long", "value": "1"},
                                  {"type": "string", "value": "${bizdate}"}],
                       "sliceRecordCount": 5000}},
        {"stepType": "stream", "category": "writer", "name": "Writer",
         "parameter": {"print": False}}],
    "setting": {"speed": {"concurrent": 1}},
    "order": {"hops": [{"from": "Reader", "to": "Writer"}]}}

SCHEDULE = """nodes:
  - {name: ods_orders, job: job.json, cron: "0 2 * * *", params: "bizdate=$bizdate"}
  - {name: dw_orders, job: job.json, cron: "0 3 * * *", params: "bizdate=$bizdate", upstream: ods_orders}
  - {name: report, job: job.json, cron: "0 4 * * *", params: "bizdate=$bizdate", upstream: dw_orders}
"""


def ferry(binary, *args):
    r = subprocess.run([binary, *args], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        sys.exit(f"ferry {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r.stdout


def call(base, path, method="GET", body=None, headers=None):
    if method == "POST" and body is None:
        body = b""
    req = urllib.request.Request(base + path, method=method, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def check_api(base):
    ok = {"X-Ferry-Request": "1"}
    cases = [
        ("/api/instances/999999/rerun", "POST", None, ok, 404, "instance 999999 does not exist"),
        ("/api/instances/abc", "GET", None, {}, 400, 'bad instance id "abc"'),
        ("/api/instances?state=sleepy", "GET", None, {}, 400, 'unknown state "sleepy"'),
        ("/api/instances?bizdate=2025-02-30", "GET", None, {}, 400, "bizdate"),
        ("/api/backfill", "POST", b"{not json", ok, 400, "the body must be a JSON object"),
        ("/api/backfill", "POST", b'{"nodes": ["nope"], "from": "20251001", "to": "20251002"}', ok,
         404, 'backfill: node "nope" is not deployed'),
        ("/api/backfill", "POST", b'{"nodes": ["report"], "from": "20251005", "to": "20251001"}', ok,
         400, "runs backwards"),
        ("/api/backfill", "POST", b'{"nodes": "report"}', ok, 400, "backfill: expected"),
        ("/api/nodes/nope/graph", "GET", None, {}, 404, 'node "nope" is not deployed'),
        ("/api/instances/1/rerun", "POST", None, {}, 403, "X-Ferry-Request"),
        ("/api/instances/1/rerun", "POST", None, {**ok, "Origin": "http://evil.example"}, 403,
         "cross-site request refused"),
        ("/api/instances/1/explode", "POST", None, ok, 404, "unknown operation"),
    ]
    for path, method, body, headers, code, text in cases:
        got, reply = call(base, path, method, body, headers)
        if got != code or text not in reply.get("error", ""):
            sys.exit(f"{method} {path}: expected {code} with {text!r}, got {got} {reply}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ferry", required=True)
    ap.add_argument("--screenshot", required=True)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="ferry-web-")
    server = None
    driver = None
    try:
        with open(os.path.join(work, "job.json"), "w") as f:
            json.dump(JOB, f)
        with open(os.path.join(work, "schedule.yaml"), "w") as f:
            f.write(SCHEDULE)
        store = os.path.join(work, "state", "scheduler.db")
        ferry(args.ferry, "deploy", work, "--store", store)
        ferry(args.ferry, "ops", "backfill", "ods_orders", "--downstream", "--from", "20251001",
              "--to", "20251002", "--parallel", "2", "--store", store)
        server = subprocess.Popen([args.ferry, "server", "--store", store, "--listen", "127.0.0.1:0",
                                   "--tick-ms", "100"], stderr=subprocess.PIPE, text=True)
        line = server.stderr.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            sys.exit(f"server did not start: {line}")
        base = f"http://127.0.0.1:{m.group(1)}"
        check_api(base)

        options = webdriver.ChromeOptions()
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--window-size=1500,1000"):
            options.add_argument(a)
        options.binary_location = "/usr/bin/chromium"
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.get(base + "/")
        # The table is redrawn every 2 s: an element found a moment ago may be gone.
        wait = WebDriverWait(driver, 60, poll_frequency=0.2,
                             ignored_exceptions=[StaleElementReferenceException])

        def click(css):
            def attempt(d):
                d.find_element(By.CSS_SELECTOR, css).click()
                return True
            wait.until(attempt)

        # All six backfill instances show up and succeed.
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR,
                                                 'tr[data-state="succeeded"]')) >= 6)
        instance_id = wait.until(lambda d: d.find_element(
            By.CSS_SELECTOR, 'tr[data-node="dw_orders"][data-state="succeeded"]').get_attribute("data-id"))
        click(f'tr[data-id="{instance_id}"] td')
        wait.until(EC.presence_of_element_located((By.ID, "rate-chart")))
        wait.until(EC.presence_of_element_located((By.ID, "dep-graph")))
        wait.until(lambda d: d.find_element(By.ID, "log").text.strip() != "")
        graph = driver.find_element(By.ID, "dep-graph").text
        for node in ("ods_orders", "dw_orders", "report"):
            if node not in graph:
                sys.exit(f"dependency graph lacks {node}: {graph!r}")
        click('button[data-op="rerun"]')
        wait.until(EC.visibility_of_element_located((By.ID, "confirm-ok"))).click()
        sel = f'tr[data-id="{instance_id}"]'
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, sel + " td.runs").text == "2" and
                   d.find_element(By.CSS_SELECTOR, sel).get_attribute("data-state") == "succeeded")
        click(sel + " td")
        wait.until(lambda d: d.find_element(By.ID, "log").text.strip() != "")
        def choose(select_id, value=None, text=None):
            def attempt(d):
                select = Select(d.find_element(By.ID, select_id))
                if text is not None:
                    select.select_by_visible_text(text)
                else:
                    select.select_by_value(value)
                return True
            wait.until(attempt)

        # A backfill from the page's form, behind the confirmation, runs and succeeds.
        choose("bf-nodes", text="report")
        driver.find_element(By.ID, "bf-from").send_keys("20251005")
        driver.find_element(By.ID, "bf-to").send_keys("20251005")
        driver.find_element(By.CSS_SELECTOR, '#backfill button[type="submit"]').click()
        wait.until(EC.visibility_of_element_located((By.ID, "confirm-ok"))).click()
        wait.until(lambda d: "backfill 2 created" in d.find_element(By.ID, "note").text)
        wait.until(lambda d: d.find_elements(
            By.CSS_SELECTOR, 'tr[data-node="report"][data-state="succeeded"]') and any(
            "20251005" in r.text for r in d.find_elements(
                By.CSS_SELECTOR, 'tr[data-node="report"][data-state="succeeded"]')))
        # Filters: only the failed ones (none) and then one business date.
        choose("f-state", "failed")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#instances tbody tr")) == 0)
        choose("f-state", "")
        choose("f-date", "20251001")
        wait.until(lambda d: {r.get_attribute("data-node") for r in d.find_elements(
            By.CSS_SELECTOR, "#instances tbody tr")} == {"ods_orders", "dw_orders", "report"})
        choose("f-date", "")
        driver.execute_script("document.getElementById('log').textContent = ''")
        click(sel + " td")
        wait.until(lambda d: "Job status" in d.find_element(By.ID, "log").text)
        os.makedirs(os.path.dirname(os.path.abspath(args.screenshot)), exist_ok=True)
        driver.save_screenshot(args.screenshot)
        print(f"rerun of instance {instance_id} succeeded; screenshot {args.screenshot}")
    finally:
        if driver:
            driver.quit()
        if server:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
