#!/usr/bin/python3
"""The Data Studio in headless Chromium, as a new user walks it: open Develop, import a
sqlite -> txtfile template, fill it in with a misspelled key and see the marker on that line, fix
it, save, see the conflict warning when the file changes on disk, debug-run with a bizdate and see
SUCCEEDED with the row count, set a daily schedule with an alert on failure, publish (seeing first
what changes), find the node's instances in Operations, then break the source: the failed run's
alert reaches a local webhook receiver and shows on the Alerts tab. A screenshot of every step goes
to --artifacts.

Usage: studio_page.py --ferry BUILD/ferry --artifacts DIR --pg-conn SERVERS/pg/conn.json
"""
import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

ROWS = 25


def make_project(root):
    os.makedirs(os.path.join(root, "data"))
    db = sqlite3.connect(os.path.join(root, "data", "shop.db"))
    db.execute("create table orders (id integer primary key, customer text, amount real)")
    db.executemany("insert into orders values (?, ?, ?)",
                   [(i, f"customer {i}", i * 1.5) for i in range(1, ROWS + 1)])
    db.commit()
    db.close()


def dirty_job():
    """sqlite -> sqlite at 2 records/s into a table whose CHECK refuses the first two rows."""
    db = sqlite3.connect(os.path.join(PROJECT_DIR[0], "data", "dw.db"))
    db.execute("create table orders_dw (id integer primary key, customer text,"
               " amount real check (amount > 3))")
    db.commit()
    db.close()
    return {"type": "job", "version": "2.0",
            "steps": [{"stepType": "sqlite", "category": "reader", "name": "Reader",
                       "parameter": {"path": "data/shop.db", "table": "orders",
                                     "column": ["id", "customer", "amount"]}},
                      {"stepType": "sqlite", "category": "writer", "name": "Writer",
                       "parameter": {"path": "data/dw.db", "table": "orders_dw",
                                     "column": ["id", "customer", "amount"], "batchSize": 1}}],
            "setting": {"speed": {"concurrent": 1, "record": 2}, "errorLimit": {"record": 100}},
            "order": {"hops": [{"from": "Reader", "to": "Writer"}]}}


PROJECT_DIR = [""]


def filled_job(template):
    """The template's JSON filled in as a user would, with `table` misspelled `tabel`."""
    job = json.loads(template[:template.index("\n//")] if "\n//" in template else template)
    reader = job["steps"][0]["parameter"]
    writer = job["steps"][1]["parameter"]
    reader.clear()
    reader.update({"path": "data/shop.db", "tabel": "orders",
                   "column": ["id", "customer", "amount", "'${bizdate}'"]})
    writer.update({"path": "out/${bizdate}", "fileName": "orders", "writeMode": "truncate",
                   "fileFormat": "csv", "fieldDelimiter": ","})
    return json.dumps(job, indent=2) + "\n"


def start_receiver():
    """A webhook receiver on loopback: the JSON bodies it got, in order."""
    got = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            got.append(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ferry", required=True)
    ap.add_argument("--artifacts", required=True)
    ap.add_argument("--pg-conn", required=True, help="conn.json of the PostgreSQL test server")
    args = ap.parse_args()
    pg = json.load(open(args.pg_conn))
    os.makedirs(args.artifacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix="ferry-studio-")
    project = os.path.join(work, "project")
    server = None
    driver = None
    receiver, alerts_got = start_receiver()
    webhook = f"http://127.0.0.1:{receiver.server_address[1]}/hook?token=s3cret"
    try:
        PROJECT_DIR[0] = project
        make_project(project)
        store = os.path.join(work, "state", "scheduler.db")
        server = subprocess.Popen(
            [args.ferry, "server", "--store", store, "--listen", "127.0.0.1:0", "--tick-ms", "100",
             "--project", project], stderr=subprocess.PIPE, text=True,
            env={**os.environ, "FERRY_HOME": os.path.join(work, "home")})  # its data sources
        line = server.stderr.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            sys.exit(f"server did not start: {line}")
        base = f"http://127.0.0.1:{m.group(1)}"

        options = webdriver.ChromeOptions()
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--window-size=1600,1100"):
            options.add_argument(a)
        options.binary_location = "/usr/bin/chromium"
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        wait = WebDriverWait(driver, 90, poll_frequency=0.2,
                             ignored_exceptions=[StaleElementReferenceException])
        step = [0]

        def shot(name):
            step[0] += 1
            driver.save_screenshot(os.path.join(args.artifacts, f"{step[0]:02d}-{name}.png"))

        def text(css):
            return driver.find_element(By.CSS_SELECTOR, css).text

        def editor_text():
            return driver.execute_script("return window.ferryStudio.editor.text()")

        def replace(old, new):
            driver.execute_script(
                "const e = window.ferryStudio.editor, t = e.text(), at = t.indexOf(arguments[0]);"
                "e.replace(at, at + arguments[0].length, arguments[1]);", old, new)

        # 1. Develop: the project's files and the editor.
        driver.get(base + "/#develop")
        wait.until(lambda d: text("#project-dir") == os.path.realpath(project))
        wait.until(lambda d: len(Select(d.find_element(By.ID, "tpl-reader")).options) > 0)
        shot("develop")

        # 2. Import a sqlite -> txtfile template into a new file.
        Select(driver.find_element(By.ID, "tpl-reader")).select_by_visible_text("sqlite")
        Select(driver.find_element(By.ID, "tpl-writer")).select_by_visible_text("txtfile")
        driver.find_element(By.ID, "tpl-name").send_keys("jobs/orders.json")
        driver.find_element(By.ID, "tpl-create").click()
        wait.until(lambda d: text("#file-name") == "jobs/orders.json")
        wait.until(lambda d: '"stepType": "sqlite"' in editor_text())
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '#files li[data-path="jobs/orders.json"]'))
        shot("template-imported")

        # 3. Fill it in, misspelling `table`: a marker on that line.
        job = filled_job(editor_text())
        driver.execute_script(
            "const e = window.ferryStudio.editor; e.replace(0, e.text().length, arguments[0]);", job)
        bad_line = job.splitlines().index(next(l for l in job.splitlines() if '"tabel"' in l)) + 1
        wait.until(lambda d: d.find_elements(
            By.CSS_SELECTOR, f'#diagnostics li[data-line="{bad_line}"]'))
        marks = driver.find_elements(By.CSS_SELECTOR, ".cm-lintRange-warning, .cm-lintRange-error")
        if not any("tabel" in m.text for m in marks):
            sys.exit(f"no lint marker on \"tabel\": {[m.text for m in marks]}")
        diag = text(f'#diagnostics li[data-line="{bad_line}"]')
        if "table" not in diag:
            sys.exit(f"the marker on line {bad_line} does not suggest table: {diag!r}")
        shot("misspelled-key-marked")

        # 4. Fix it: the check passes; save.
        replace('"tabel"', '"table"')
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#diagnostics li.ok"))
        driver.find_element(By.ID, "btn-save").click()
        wait.until(lambda d: text("#file-state") == "saved")
        with open(os.path.join(project, "jobs", "orders.json")) as f:
            if '"table": "orders"' not in f.read():
                sys.exit("the saved file lacks the fix")
        shot("fixed-and-saved")

        # 5. The file changes on disk behind the editor: saving warns instead of overwriting.
        with open(os.path.join(project, "jobs", "orders.json"), "a") as f:
            f.write("// edited elsewhere\n")
        replace('"amount"', '"amount" ')
        driver.find_element(By.ID, "btn-save").click()
        wait.until(lambda d: "changed on disk" in text("#dev-err"))
        shot("conflict-warning")
        driver.find_element(By.ID, "btn-reload").click()
        wait.until(lambda d: "// edited elsewhere" in editor_text())

        # 6. Debug run with a business date: SUCCEEDED with the row count.
        bizdate = wait.until(EC.presence_of_element_located((By.ID, "dp-bizdate")))
        bizdate.clear()
        bizdate.send_keys("20251031")
        driver.find_element(By.ID, "btn-run").click()
        wait.until(lambda d: text("#debug-status") in ("SUCCEEDED", "FAILED", "STOPPED"))
        if text("#debug-status") != "SUCCEEDED":
            sys.exit(f"debug run: {text('#debug-status')}\n{text('#debug-log')}")
        written = text('#debug-summary td[data-field="records written"]')
        if written != str(ROWS):
            sys.exit(f"debug run wrote {written} records, expected {ROWS}")
        out = os.path.join(project, "out", "20251031")
        if not os.path.isdir(out) or not os.listdir(out):
            sys.exit(f"debug run wrote nothing into {out}")
        shot("debug-run-succeeded")

        # 6b. Completion and hover help from `ferry schema` in the reader's parameters.
        at = editor_text().index('"table": "orders",') + len('"table": "orders",')
        driver.execute_script(
            "const e = window.ferryStudio.editor; e.replace(arguments[0], arguments[0], "
            "'\\n        \"sp'); e.moveTo(arguments[0] + 12);", at)
        driver.find_element(By.CSS_SELECTOR, ".cm-content").send_keys("l")
        try:
            WebDriverWait(driver, 10).until(
                lambda d: "splitPk" in text(".cm-tooltip-autocomplete"))
        except Exception:
            shot("completion-missing")
            sys.exit("no completion offering splitPk after typing \"spl; editor:\n"
                     + editor_text()[:600])
        shot("completion")
        ActionChains(driver).send_keys(Keys.ESCAPE).perform()
        replace('\n        "spl', "")
        key = editor_text().index('"table"') + 2
        box = driver.execute_script("return window.ferryStudio.editor.coords(arguments[0])", key)
        mouse = ActionBuilder(driver)
        mouse.pointer_action.move_to_location(int(box["left"]) + 1, int(box["top"]) + 4)
        mouse.perform()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".cm-ferry-help"))
        help_text = text(".cm-ferry-help")
        if not help_text.startswith("table:"):
            sys.exit(f"hover help on \"table\": {help_text!r}")
        shot("hover-help")
        driver.find_element(By.ID, "btn-save").click()
        wait.until(lambda d: text("#file-state") == "saved")

        # 6c. A job whose destination refuses rows: the first dirty records show while it runs,
        # and Stop ends it as STOPPED.
        with open(os.path.join(project, "jobs", "dirty.json"), "w") as f:
            json.dump(dirty_job(), f, indent=2)
        driver.refresh()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '#files li[data-path="jobs/dirty.json"]'))
        driver.find_element(By.CSS_SELECTOR, '#files li[data-path="jobs/dirty.json"]').click()
        wait.until(lambda d: text("#file-name") == "jobs/dirty.json")
        driver.find_element(By.ID, "btn-run").click()
        wait.until(lambda d: text("#debug-status") in ("SUCCEEDED", "FAILED", "STOPPED"))
        if text("#debug-status") != "SUCCEEDED":
            sys.exit(f"dirty debug run: {text('#debug-status')}\n{text('#debug-log')}")
        dirty_count = text('#debug-summary td[data-field="dirty records"]')
        dirty_shown = [json.loads(line) for line in text("#debug-dirty pre").splitlines()]
        if dirty_count != "2" or len(dirty_shown) != 2 or \
                "CHECK constraint failed" not in json.dumps(dirty_shown[0]) or \
                "1.5" not in json.dumps(dirty_shown[0]):
            sys.exit(f"dirty records: {dirty_count} in the summary, shown: {dirty_shown!r}")
        shot("dirty-records")
        # Again (2 records/s): stopped while it runs.
        driver.find_element(By.ID, "btn-run").click()
        wait.until(lambda d: text("#debug-status") == "RUNNING" and "rec/s" in text(
            "#debug-progress"))
        driver.find_element(By.ID, "btn-stop").click()
        wait.until(lambda d: text("#debug-status") in ("SUCCEEDED", "FAILED", "STOPPED"))
        if text("#debug-status") != "STOPPED":
            sys.exit(f"stopped debug run: {text('#debug-status')}\n{text('#debug-log')}")
        shot("stopped")
        driver.find_element(By.CSS_SELECTOR, '#files li[data-path="jobs/orders.json"]').click()
        wait.until(lambda d: text("#file-name") == "jobs/orders.json"
                   and not text("#sched-note").startswith("loading"))

        # 7. A daily schedule for the node.
        name = driver.find_element(By.ID, "s-name")
        name.clear()
        name.send_keys("ods_orders")
        cron = driver.find_element(By.ID, "s-cron")
        cron.clear()
        cron.send_keys("0 2 * * *")
        driver.find_element(By.ID, "btn-alert-add").click()
        row = driver.find_element(By.CSS_SELECTOR, "#s-alerts tbody tr:last-child")
        Select(row.find_element(By.CLASS_NAME, "a-on")).select_by_visible_text("failure")
        row.find_element(By.CLASS_NAME, "a-webhook").send_keys(webhook)
        driver.find_element(By.ID, "btn-sched-save").click()
        wait.until(lambda d: "saved node ods_orders" in text("#sched-note"))
        with open(os.path.join(project, "schedule.yaml")) as f:
            saved = f.read()
        if "on: failure" not in saved or webhook not in saved:
            sys.exit(f"the alert rule is not in schedule.yaml:\n{saved}")
        shot("schedule-set")

        # 8. Publish: first what changes, then deployed.
        driver.find_element(By.ID, "btn-publish").click()
        wait.until(lambda d: "ods_orders (added)" in text("#publish-preview"))
        shot("publish-preview")
        wait.until(EC.visibility_of_element_located((By.ID, "confirm-ok"))).click()
        wait.until(lambda d: d.find_elements(By.ID, "published"))
        shot("published")

        # 9. Operations shows the node's instances; a backfill of the debug date succeeds.
        driver.find_element(By.CSS_SELECTOR, '#tabs [data-tab="operations"]').click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, 'tr[data-node="ods_orders"]'))

        def choose_node(d):
            Select(d.find_element(By.ID, "bf-nodes")).select_by_visible_text("ods_orders")
            return True
        wait.until(choose_node)
        driver.find_element(By.ID, "bf-from").send_keys("20251031")
        driver.find_element(By.ID, "bf-to").send_keys("20251031")
        driver.find_element(By.CSS_SELECTOR, '#backfill button[type="submit"]').click()
        wait.until(EC.visibility_of_element_located((By.ID, "confirm-ok"))).click()
        wait.until(lambda d: any(
            "20251031" in r.text for r in d.find_elements(
                By.CSS_SELECTOR, 'tr[data-node="ods_orders"][data-state="succeeded"]')))
        shot("operations")

        # 10. The source table goes away: a backfill of the next day fails, and its alert reaches
        # the webhook and shows, delivered, on the Alerts tab (the token in the URL masked).
        db = sqlite3.connect(os.path.join(project, "data", "shop.db"))
        db.execute("drop table orders")
        db.commit()
        db.close()
        for field in ("bf-from", "bf-to"):
            driver.find_element(By.ID, field).clear()
            driver.find_element(By.ID, field).send_keys("20251101")
        driver.find_element(By.CSS_SELECTOR, '#backfill button[type="submit"]').click()
        wait.until(EC.visibility_of_element_located((By.ID, "confirm-ok"))).click()
        wait.until(lambda d: any(
            "20251101" in r.text for r in d.find_elements(
                By.CSS_SELECTOR, 'tr[data-node="ods_orders"][data-state="failed"]')))
        wait.until(lambda d: alerts_got)
        alert = alerts_got[0]
        if alert.get("event") != "failure" or alert.get("node") != "ods_orders" or \
                "20251101" not in json.dumps(alert):
            sys.exit(f"unexpected alert body: {alert}")
        driver.find_element(By.CSS_SELECTOR, '#tabs [data-tab="alerts"]').click()
        wait.until(lambda d: "delivered" in text("#alert-deliveries tbody"))
        rules = text("#alert-rules tbody")
        alerts_html = driver.find_element(By.ID, "view-alerts").get_attribute("innerHTML")
        if "ods_orders" not in rules or "s3cret" in alerts_html:
            sys.exit(f"alert rules shown: {rules!r} (the webhook token must be masked)")
        shot("alert-delivered")

        # 11. A global rule from the Alerts tab: written to the schedule file's `alerts:`.
        wait.until(lambda d: "schedule.yaml" in text("#galert-note"))
        driver.find_element(By.ID, "btn-galert-add").click()
        row = driver.find_element(By.CSS_SELECTOR, "#galert-table tbody tr:last-child")
        Select(row.find_element(By.CLASS_NAME, "a-node")).select_by_visible_text("ods_orders")
        Select(row.find_element(By.CLASS_NAME, "a-on")).select_by_visible_text("not_finished_by")
        row.find_element(By.CLASS_NAME, "a-arg").send_keys("06:30")
        row.find_element(By.CLASS_NAME, "a-webhook").send_keys(webhook)
        driver.find_element(By.ID, "btn-galert-save").click()
        wait.until(lambda d: "publish to apply" in text("#galert-note"))
        with open(os.path.join(project, "schedule.yaml")) as f:
            saved = f.read()
        if "not_finished_by" not in saved or "06:30" not in saved:
            sys.exit(f"the global rule is not in schedule.yaml:\n{saved}")
        shot("global-rule-saved")

        # 12. Data sources: add the PostgreSQL test server with its password, test it (OK), and
        # the password is never shown back.
        driver.find_element(By.CSS_SELECTOR, '#tabs [data-tab="datasources"]').click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#ds-type option")))
        for field, value in (("ds-name", "dw"), ("ds-host", pg["host"]),
                             ("ds-port", str(pg["port"])), ("ds-db", pg["database"]),
                             ("ds-user", pg["user"]), ("ds-password", pg["password"])):
            driver.find_element(By.ID, field).send_keys(value)
        Select(driver.find_element(By.ID, "ds-type")).select_by_visible_text("postgresql")
        driver.find_element(By.CSS_SELECTOR, '#ds-form button[type="submit"]').click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '#ds-table tr[data-name="dw"]'))
        driver.find_element(By.CSS_SELECTOR, 'button[data-test="dw"]').click()
        wait.until(lambda d: text("#ds-test").startswith("dw: ") and "…" not in text("#ds-test"))
        if "OK" not in text("#ds-test"):
            sys.exit(f"data source test: {text('#ds-test')!r}")
        if pg["password"] in driver.find_element(By.ID, "view-datasources").get_attribute(
                "innerHTML") or driver.find_element(By.ID, "ds-password").get_attribute("value"):
            sys.exit("the data source password is shown back")
        shot("datasource-tested")
        print(f"studio path done; screenshots in {args.artifacts}")
    finally:
        if driver:
            driver.quit()
        if server:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        receiver.shutdown()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
