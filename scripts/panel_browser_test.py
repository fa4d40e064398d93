#!/usr/bin/env python3
"""The wallboard (GET /panel) in a real headless browser: Debian's chromium and chromium-driver, driven by
selenium.

Replays a scripted day of queue_log lines through POST /events, opens the panel, enters the API key (a wrong
one first: the key form must come back), and checks what the tiles show against numbers reasoned from
Asterisk's semantics (issue 16, items 4 and 5). Then sends more events and checks that the same page, not
reloaded, follows them; reloads once to check the key was kept; saves a screenshot.

BASE_URL (default http://127.0.0.1:8000) is the API; CALLS_API_KEY a key with the write role (it reads too);
SCREENSHOT where the picture goes (default panel.png); PANEL_TEST_TIMEOUT the seconds any one wait may take
(default 30); CALLS_PANEL_TIMEZONE the API's day (default UTC). Each run uses a new source and new queue names,
so it can run against a stack that already holds data. Exits non-zero with a message on the first failure."""

import datetime
import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.request
import uuid
import zoneinfo

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
API_KEY = os.environ.get("CALLS_API_KEY", "")
SCREENSHOT = os.environ.get("SCREENSHOT", "panel.png")
TIMEOUT = float(os.environ.get("PANEL_TEST_TIMEOUT", "30"))
PANEL_ZONE = zoneinfo.ZoneInfo(os.environ.get("CALLS_PANEL_TIMEZONE", "UTC"))
SERVICE_LEVEL_SECONDS = 20  # the API's default CALLS_SERVICE_LEVEL_SECONDS
# Thresholds of the page under test, given in its query: waits over 2 min and SL under 40 % are red, the
# abandoned share keeps its default (10 %). Both overrides differ from the defaults in a way the data shows.
PANEL_QUERY = "?max_wait=120&min_sl=40"
LONG_WAIT = 150  # the caller of the third queue has waited this long when the page opens: over 120 s
RUN_ID = uuid.uuid4().hex[:8]  # in the source's and the queues' names: each run has its own


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)
    print(f"ok    {message}")


# ---- the API ----
def post_events(source, offset, lines):
    """Posts lines as the PBX's log from byte `offset` on; returns the API's answer."""
    body = "".join(line + "\n" for line in lines).encode()
    request = urllib.request.Request(
        f"{BASE_URL}/events?source={source}&offset={offset}", data=body, method="POST",
        headers={"Content-Type": "text/plain", "Authorization": f"Bearer {API_KEY}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read()), len(body)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), len(body)


def api_status():
    request = urllib.request.Request(f"{BASE_URL}/queues/status", headers={"Authorization": f"Bearer {API_KEY}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def send(source, offset, lines, what):
    status, answer, size = post_events(source, offset, lines)
    check(status == 202 and answer["accepted"] == len(lines) and answer["duplicates"] == 0
          and answer["unknown"] == 0 and answer["rejected"] == [],
          f"POST /events takes the {len(lines)} lines of {what} (202: {answer})")
    return offset + size


# ---- the day ----
def wait_for_one_day(before, after):
    """Sleeps, rarely, until [now - before, now + after] lies in one day of the API's time zone: the events
    are backdated by up to `before` seconds and today's counters must not reset while the test runs."""
    now = datetime.datetime.now(PANEL_ZONE)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    since = (now - midnight).total_seconds()
    until = (midnight + datetime.timedelta(days=1) - now).total_seconds()
    if since < before:
        time.sleep(before - since + 1)
    elif until < after:
        print(f"waiting {until + before + 1:.0f} s for the day to turn, so that today's counts stay one day's")
        time.sleep(until + before + 1)


class Log:
    """queue_log lines (epoch|callid|queue|agent|EVENT|data…) as Asterisk writes them, in time order."""

    def __init__(self):
        self.lines = []

    def add(self, when, call, queue, agent, event, *data):
        self.lines.append("|".join([str(when), call, queue, agent, event, *map(str, data)]))

    def take(self):
        lines, self.lines = self.lines, []
        return lines


# ---- the browser ----
def make_driver():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1600,900", "--lang=en-GB"):
        options.add_argument(argument)
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    # Whatever the page's Content-Security-Policy blocks, recorded for the checks (a script the browser adds
    # is not subject to the page's policy).
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        window.panelTestViolations = [];
        document.addEventListener("securitypolicyviolation",
            (event) => window.panelTestViolations.push(event.violatedDirective + " " + event.blockedURI));"""})
    return driver


# What the page shows for some queues: every tile's fields as text, its alert state, and its place.
READ_TILES = """
const result = {};
document.querySelectorAll('#tiles [data-queue]').forEach((tile, index) => {
  const fields = {};
  tile.querySelectorAll('[data-field]').forEach((node) => { fields[node.dataset.field] = node.textContent; });
  result[tile.dataset.queue] = {fields, alert: tile.dataset.alert, reasons: tile.dataset.alertReasons, index};
});
return result;
"""


def seconds_of(text):
    minutes, _, seconds = text.partition(":")
    return int(minutes) * 60 + int(seconds)


def wait_for_tiles(driver, expected, waits, what):
    """Waits until each queue's tile shows `expected` (fields as text, alert reasons) and each `waits` entry
    (queue -> the epoch the oldest caller entered) shows a longest wait between its age when the wait started
    and its age now."""
    started = time.time()
    differences = ["the page was not read"]

    def differ(seen):
        found = []
        for queue, want in expected.items():
            tile = seen.get(queue)
            if tile is None:
                found.append(f"{queue}: no tile")
                continue
            for field, text in want["fields"].items():
                if tile["fields"].get(field) != text:
                    found.append(f"{queue}: {field} shows {tile['fields'].get(field)!r}, expected {text!r}")
            alert = "true" if want["reasons"] else "false"
            if tile["reasons"] != want["reasons"] or tile["alert"] != alert:
                found.append(f"{queue}: red for {tile['reasons']!r} (alert {tile['alert']}), expected "
                             f"{want['reasons']!r} (alert {alert})")
        for queue, entered in waits.items():
            text = seen.get(queue, {}).get("fields", {}).get("longest_wait", "")
            low, high = int(started - entered) - 2, time.time() - entered + 2
            if ":" not in text or not low <= seconds_of(text) <= high:
                found.append(f"{queue}: longest wait shows {text!r}, expected between {low} and {high:.0f} s")
        return found

    def matches(_):
        nonlocal differences
        differences = differ(driver.execute_script(READ_TILES))
        return not differences

    try:
        WebDriverWait(driver, TIMEOUT, poll_frequency=0.25).until(matches)
    except TimeoutException:
        raise Failure(f"the tiles did not show {what} within {TIMEOUT:.0f} s:\n  " + "\n  ".join(differences))
    print(f"ok    the tiles show {what}")
    return driver.execute_script(READ_TILES)


def visible(driver, element_id):
    return driver.find_element(By.ID, element_id).is_displayed()


def enter_key(driver, key):
    WebDriverWait(driver, TIMEOUT).until(lambda d: visible(d, "key-dialog"))
    field = driver.find_element(By.ID, "api-key")
    field.clear()
    field.send_keys(key)
    driver.find_element(By.ID, "key-submit").click()


def tile(waiting, longest, available, on_call, paused, logged_in, service_level, abandoned, answered, offered,
         reasons):
    return {"fields": {"waiting": str(waiting), "longest_wait": longest, "available": str(available),
                       "on_call": str(on_call), "paused": str(paused), "logged_in": str(logged_in),
                       "service_level": service_level, "abandoned": str(abandoned), "answered": str(answered),
                       "offered": str(offered)},
            "reasons": reasons}


def percent(numerator, denominator):
    return f"{int(100 * numerator / denominator + 0.5)}%"  # JavaScript's Math.round, as the page rounds


def run(driver):
    run_id = RUN_ID
    source = f"panel-test-{run_id}"
    sales, support, vip = f"sales-{run_id}", f"support-{run_id}", f"vip-{run_id}"
    alice, bob, carol, dave = "PJSIP/alice", "PJSIP/bob", "PJSIP/carol", "PJSIP/dave"
    wait_for_one_day(before=LONG_WAIT + 10, after=6 * TIMEOUT + 60)

    # ---- phase 1: a morning in three queues ----
    t0 = int(time.time())
    log = Log()
    for agent, queue in ((alice, sales), (alice, support), (bob, sales), (bob, support), (carol, sales), (dave, vip)):
        log.add(t0 - LONG_WAIT - 5, "NONE", queue, agent, "ADDMEMBER", "")
    log.add(t0 - LONG_WAIT, f"{t0}.5", vip, "NONE", "ENTERQUEUE", "", "5550005", 1)
    log.add(t0 - 60, "NONE", sales, carol, "PAUSE", "lunch")
    log.add(t0 - 40, f"{t0}.1", sales, "NONE", "ENTERQUEUE", "", "5550001", 1)
    log.add(t0 - 30, f"{t0}.2", sales, "NONE", "ENTERQUEUE", "", "5550002", 2)
    log.add(t0 - 30, f"{t0}.1", sales, alice, "CONNECT", 10, f"{t0}.11", 3)  # answered after 10 s: within SL
    log.add(t0 - 20, f"{t0}.3", sales, "NONE", "ENTERQUEUE", "", "5550003", 2)
    log.add(t0 - 10, f"{t0}.4", support, "NONE", "ENTERQUEUE", "", "5550004", 1)
    log.add(t0, f"{t0}.2", sales, "NONE", "ABANDON", 1, 2, 30)  # the newest line is now: the data is fresh
    phase1 = log.take()
    offset = send(source, 0, phase1, "the morning")

    # Sales: alice, bob and carol are members; carol paused in it; alice talks to caller 1 → 3 logged in,
    # 1 paused, 1 on call, 1 available. Caller 2 abandoned, caller 3 waits (entered t0-20). Today: 3 offered,
    # 1 answered (hold 10 ≤ 20: within SL), 1 abandoned → SL 1/(1+1+0) = 50 % (not under 40 %), abandoned
    # 1/3 = 33 % of offered (over 10 %): red for abandons only.
    # Support: alice and bob; alice is on a call from sales, which makes her on call here too → 2 logged in,
    # 1 on call, 1 available. Caller 4 waits (entered t0-10), 1 offered, nothing finished: no SL, not red.
    # VIP: dave alone, available; caller 5 has waited 150 s > 120 s: red for the wait; no SL yet.
    expected = {
        sales: tile(1, None, 1, 1, 1, 3, percent(1, 2), 1, 1, 3, "abandoned"),
        support: tile(1, None, 1, 1, 0, 2, "–", 0, 0, 1, ""),
        vip: tile(1, None, 1, 0, 0, 1, "–", 0, 0, 1, "wait"),
    }
    waits = {sales: t0 - 20, support: t0 - 10, vip: t0 - LONG_WAIT}
    for want in expected.values():
        del want["fields"]["longest_wait"]  # checked against the clock, through `waits`

    driver.get(f"{BASE_URL}/panel{PANEL_QUERY}")
    enter_key(driver, "not-a-valid-key-" + run_id)
    WebDriverWait(driver, TIMEOUT).until(
        lambda d: visible(d, "key-dialog") and d.find_element(By.ID, "key-error").text.strip() != "")
    check(True, "a wrong key brings the key form back with the API's refusal: "
          + repr(driver.find_element(By.ID, "key-error").text))
    enter_key(driver, API_KEY)
    seen = wait_for_tiles(driver, expected, waits, "the morning")
    check(seen[sales]["index"] < seen[support]["index"] < seen[vip]["index"], "the tiles are in the order of names")
    check(not visible(driver, "key-dialog"), "the key form is gone once the key works")
    # Waited for rather than read once: a status taken between a batch's commit and its acknowledgement may
    # count the batch's (backdated) entries as a backlog for a moment.
    WebDriverWait(driver, TIMEOUT).until(lambda d: not visible(d, "stale-banner") and not visible(d, "offline-banner"))
    check(True, "no 'data is old' banner (the newest event is seconds old), no 'cannot reach the API' banner")
    violations = driver.execute_script("return window.panelTestViolations || [];")
    check(violations == [], f"the page breaks no rule of its Content-Security-Policy: {violations}")
    WebDriverWait(driver, TIMEOUT).until(
        lambda d: d.find_element(By.ID, "connection").get_attribute("data-connection") == "stream")
    check(True, "the page reads the live stream (not the polling fallback)")
    driver.execute_script("window.panelTestMarker = 'not reloaded';")

    # A retried POST, once its lines are applied (the page shows them), is all duplicates; the counts of
    # phase 2 below show it changed nothing.
    status, answer, _ = post_events(source, 0, phase1)
    check(status == 202 and answer["accepted"] == 0 and answer["duplicates"] == len(phase1),
          f"the same POST again is all duplicates (202: {answer})")

    # ---- phase 2: the same page follows new events ----
    while int(time.time()) < t0 + 3:  # so caller 3's hold below is over the service level
        time.sleep(0.2)
    t1 = int(time.time())
    hold3 = (t1 - 2) - (t0 - 20)
    log.add(t1 - 3, f"{t0}.1", sales, alice, "COMPLETECALLER", 10, (t1 - 3) - (t0 - 30), 1)
    log.add(t1 - 2, f"{t0}.3", sales, bob, "CONNECT", hold3, f"{t0}.13", 4)
    log.add(t1 - 1, f"{t0}.4", support, "NONE", "EXITWITHTIMEOUT", 1, 1, (t1 - 1) - (t0 - 10))
    log.add(t1 - 1, "NONE", sales, carol, "UNPAUSE", "")
    log.add(t1, "NONE", support, bob, "REMOVEMEMBER", "")
    offset = send(source, offset, log.take(), "the afternoon")

    # Sales: alice hung up (available again), bob answers caller 3 after hold3 > 20 s (not within SL), carol
    # back from lunch → 3 logged in, 0 paused, 1 on call (bob), 2 available; nobody waits. Today: 3 offered,
    # 2 answered, 1 abandoned, 1 within SL → SL 1/3 = 33 % (under 40 %); abandoned 33 %: red for both.
    # Support: caller 4 timed out, bob left the queue → alice alone and free: 1 logged in, 1 available; 1
    # offered, 0 answered, 1 timed out → SL 0/1 = 0 %: red for SL. VIP unchanged (its caller still waits).
    check(hold3 > SERVICE_LEVEL_SECONDS, f"caller 3 waited {hold3} s, over the service level")
    expected = {
        sales: tile(0, "–", 2, 1, 0, 3, percent(1, 3), 1, 2, 3, "sl abandoned"),
        support: tile(0, "–", 1, 0, 0, 1, percent(0, 1), 0, 0, 1, "sl"),
        vip: tile(1, None, 1, 0, 0, 1, "–", 0, 0, 1, "wait"),
    }
    del expected[vip]["fields"]["longest_wait"]
    wait_for_tiles(driver, expected, {vip: t0 - LONG_WAIT}, "the afternoon, without a reload")
    check(driver.execute_script("return window.panelTestMarker;") == "not reloaded",
          "the page updated itself: it was not reloaded")
    check(not visible(driver, "stale-banner") and not visible(driver, "offline-banner"), "still no banner")

    # ---- the key is remembered ----
    driver.refresh()
    wait_for_tiles(driver, expected, {vip: t0 - LONG_WAIT}, "the same after a reload, without asking the key")
    check(not visible(driver, "key-dialog"), "the key was kept in localStorage")

    driver.save_screenshot(SCREENSHOT)
    check(os.path.getsize(SCREENSHOT) > 0, f"screenshot saved to {SCREENSHOT}")

    # ---- data that arrives late: the banner ----
    # Another PBX's event applied two minutes after it happened: the newest applied event's lag is over
    # CALLS_PANEL_STALE_SECONDS (60 by default), the status says stale, and the page says how old its data is.
    late_source = f"panel-test-late-{run_id}"
    log.add(int(time.time()) - 120, "NONE", f"late-{run_id}", "SIP/late", "ADDMEMBER", "")
    send(late_source, 0, log.take(), "another PBX, two minutes late")
    WebDriverWait(driver, TIMEOUT).until(lambda d: visible(d, "stale-banner"))
    age = int(driver.find_element(By.ID, "stale-age").text)
    check(115 <= age <= 120 + TIMEOUT, f"the 'data is N s old' banner shows, with N = {age} (the event was applied ~120 s late)")
    stale_shot = SCREENSHOT.replace(".png", "-stale.png") if SCREENSHOT.endswith(".png") else SCREENSHOT + "-stale.png"
    driver.save_screenshot(stale_shot)
    check(os.path.getsize(stale_shot) > 0, f"screenshot of the banner saved to {stale_shot}")


def main():
    if not API_KEY:
        print("FAIL  CALLS_API_KEY (a key with the write role) is required", file=sys.stderr)
        return 1
    try:
        driver = make_driver()
    except WebDriverException as error:
        print(f"FAIL  cannot start headless chromium: {error.msg}", file=sys.stderr)
        return 1
    try:
        run(driver)
    except (Failure, WebDriverException, urllib.error.URLError, TimeoutException) as error:
        print(f"FAIL  {error}", file=sys.stderr)
        try:
            driver.save_screenshot(SCREENSHOT)
            print(f"      the page at the failure: {SCREENSHOT}", file=sys.stderr)
            print(f"      CSP violations: {driver.execute_script('return window.panelTestViolations;')}",
                  file=sys.stderr)
            for entry in driver.get_log("browser")[-10:]:
                print(f"      console: {entry.get('message')}", file=sys.stderr)
            status = api_status()
            status["queues"] = [queue for queue in status["queues"] if queue["queue"].endswith(RUN_ID)]
            print(f"      API status of this run's queues: {json.dumps(status)}", file=sys.stderr)
        except Exception:  # noqa: BLE001 — diagnostics only; the failure above is the verdict
            pass
        return 1
    finally:
        driver.quit()
    print("panel browser test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
