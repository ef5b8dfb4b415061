#!/usr/bin/env python3
"""The operator console in headless Chromium, driven over WebDriver (chromedriver's HTTP protocol, spoken
with the standard library only): log in, open the queue and an item, verify it with the keyboard alone,
check the store, reprocess a failed item, and check a screenshot of the item screen is not blank.

Run by scripts/browser-test.sh, which builds the queue, adds the user and starts the console and chromedriver.
Usage: browser_test.py CONSOLE_URL CHROMEDRIVER_URL STATE_DIR FAXINTAKE CORPUS_DIR ARTIFACT_DIR
"""
import json
import os
import sqlite3
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib

console, driver_url, state, faxintake, corpus, artifacts = sys.argv[1:7]
ENTER, ESCAPE, TAB, CONTROL = "\ue007", "\ue00c", "\ue004", "\ue009"
passed = []


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    passed.append(what)
    print(f"ok {len(passed)} - {what}", flush=True)


class Browser:
    """A WebDriver session: only what these tests need."""

    def __init__(self):
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"]}}}}
        self.session = self.call("POST", "/session", caps, session=False)["sessionId"]

    def call(self, method, path, body=None, session=True):
        url = driver_url + (f"/session/{self.session}" if session else "") + path
        data = json.dumps(body).encode() if body is not None else (b"{}" if method == "POST" else None)
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read() or b"{}").get("value")
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"WebDriver {method} {path}: {error.read()[:400]!r}") from None

    def go(self, url):
        self.call("POST", "/url", {"url": url})

    @property
    def url(self):
        return self.call("GET", "/url")

    def script(self, source, *args):
        return self.call("POST", "/execute/sync", {"script": source, "args": list(args)})

    def find(self, css):
        found = self.call("POST", "/elements", {"using": "css selector", "value": css})
        return [next(iter(e.values())) for e in found]

    def click(self, element):
        self.call("POST", f"/element/{element}/click")

    def keys(self, *sequences):
        """Presses keys on whatever has the focus, as a person at the keyboard would."""
        actions = []
        for sequence in sequences:
            if isinstance(sequence, tuple):  # a chord: hold the first key
                modifier, key = sequence
                actions += [{"type": "keyDown", "value": modifier}, {"type": "keyDown", "value": key},
                            {"type": "keyUp", "value": key}, {"type": "keyUp", "value": modifier}]
            else:
                for ch in sequence:
                    actions += [{"type": "keyDown", "value": ch}, {"type": "keyUp", "value": ch}]
        self.call("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})

    def wait(self, predicate, what, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")

    def screenshot(self, path):
        import base64
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.call("GET", "/screenshot")))

    def quit(self):
        try:
            self.call("DELETE", "")
        except Exception:
            pass


def png_pixels(path):
    """Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes) into rows of pixel tuples."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and color in (2, 6) and interlace == 0, f"unexpected PNG format {depth}/{color}/{interlace}"
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride, previous, rows = zlib.decompress(idat), width * channels, None, []
    for y in range(height):
        filter_type, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        prior = previous or bytearray(stride)
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = prior[i], (prior[i - channels] if i >= channels else 0)
            if filter_type == 1: line[i] = (line[i] + left) & 255
            elif filter_type == 2: line[i] = (line[i] + up) & 255
            elif filter_type == 3: line[i] = (line[i] + (left + up) // 2) & 255
            elif filter_type == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(line)
        previous = line
    return width, height, channels, rows


def not_blank(path):
    """True when the screenshot shows something: many colours and a good share off the background colour."""
    width, height, channels, rows = png_pixels(path)
    counts = {}
    for row in rows[::4]:
        for x in range(0, width * channels, channels * 4):
            key = bytes(row[x:x + 3])
            counts[key] = counts.get(key, 0) + 1
    total = sum(counts.values())
    background = max(counts.values())
    dark = sum(n for k, n in counts.items() if sum(k) < 3 * 100)
    return len(counts) > 16 and (total - background) / total > 0.05 and dark / total > 0.005, (len(counts), (total - background) / total, dark / total)


def store_item(item_id):
    out = subprocess.run([faxintake, "queue", "show", str(item_id), "--json", "--state", state], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def truth_fields(item):
    path = os.path.join(corpus, os.path.splitext(item["source_file_name"])[0] + ".truth.json")
    return json.load(open(path))["fields"] if os.path.exists(path) else {}


def unsure_dates():
    """Date fields needing review on the queued items, as the store has them."""
    fields_map = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Pipelines", "forms",
                              "medical-prior-authorization-request-form.fields.json")
    dates = {f["name"] for f in json.load(open(fields_map))["fields"] if f.get("validator") == "date"}
    listed = subprocess.run([faxintake, "queue", "list", "--status", "queued", "--json", "--state", state],
                            check=True, capture_output=True, text=True).stdout
    rows = json.loads(listed)
    rows = rows.get("items", rows) if isinstance(rows, dict) else rows
    count = 0
    for row in rows:
        item = store_item(row["id"])
        count += sum(1 for name, f in item["fields"].items() if name in dates and f["needs_review"])
    return count


def main():
    browser = Browser()
    try:
        # Log in, by keyboard.
        browser.go(console + "/items/1")
        check(browser.url.endswith("/login"), "without a session an item page redirects to /login")
        browser.wait(lambda: browser.find("#username"), "the login form")
        browser.script("document.getElementById('username').focus()")
        browser.keys("otto", TAB, os.environ["CONSOLE_PASSWORD"], ENTER)
        browser.wait(lambda: browser.find("#items"), "the queue after logging in")
        check(browser.url.rstrip("/") == console, "logged in, the queue opens")
        check(browser.script("return document.body.dataset.idleSeconds") == "900", "the page leaves for /login after 15 idle minutes")

        # Group verification: the queue's unsure dates side by side, each crop beside its reading. As many
        # rows as the store has dates needing review on queued items (counted before any is verified).
        browser.go(console + "/group?kind=date")
        rows = browser.script("return document.querySelectorAll('#verification .row').length")
        expected = unsure_dates()
        if expected:
            browser.wait(lambda: browser.script("return Array.from(document.querySelectorAll('img.crop')).every(i => i.complete && i.naturalWidth > 0)"), "the group's crops")
        browser.screenshot(os.path.join(artifacts, "group-dates.png"))
        check(rows == expected, f"group verification lists the queue's unsure dates with their crops ({rows} of {expected})")

        # The queue: items with needs_review, urgent first.
        browser.go(console + "/?flag=needs_review&status=queued")
        links = browser.find("a.item-link")
        check(len(links) >= 1, f"the queue lists items flagged needs_review ({len(links)})")
        hrefs = browser.script("return Array.from(document.querySelectorAll('a.item-link')).map(a => a.getAttribute('href'))")
        # Open the item the machine misread somewhere (the corpus's truth says so), so typing a correction is tested too.
        def misread(href):
            item = store_item(int(href.rsplit("/", 1)[1]))
            truth = truth_fields(item)
            return any(f["needs_review"] and isinstance(truth.get(n), str) and truth[n].strip()
                       and " ".join(truth[n].split()) != " ".join(f["value"].split()) for n, f in item["fields"].items())
        choice = next((i for i, href in enumerate(hrefs) if misread(href)), 0)
        item_id = int(hrefs[choice].rsplit("/", 1)[1])
        browser.click(links[choice])
        browser.wait(lambda: browser.find("#fields"), "the item screen")
        check(browser.url.endswith(f"/items/{item_id}"), f"the item screen of #{item_id} opens")
        browser.wait(lambda: browser.script("var i=document.querySelector('#form-page img'); return i && i.complete && i.naturalWidth > 0"),
                     "the form page image", seconds=30)
        browser.wait(lambda: browser.script("return Array.from(document.querySelectorAll('.thumbs img')).every(i => i.complete && i.naturalWidth > 0)"),
                     "the thumbnails", seconds=30)
        zones = len(browser.find("#form-page .zone"))
        check(zones > 10, f"the form page is shown with its field zones outlined ({zones})")
        shot = os.path.join(artifacts, "item-screen.png")
        browser.screenshot(shot)
        blank_check = not_blank(shot)
        check(blank_check[0], f"the item screen's screenshot is not blank (colours, off-background share, dark share: {blank_check[1]})")

        # Verify with the keyboard alone: V opens the verification screen (accesskey), then Enter/typing/Tab/Esc.
        before = store_item(item_id)
        flagged = [n for n, f in before["fields"].items() if f["needs_review"]] + [n for n, g in before["checkboxes"].items() if g["needs_review"]]
        truth = truth_fields(before)
        browser.script("document.activeElement && document.activeElement.blur()")
        browser.keys("v")  # the item screen's shortcut for "Verify"
        browser.wait(lambda: browser.url.endswith(f"/items/{item_id}/verify"), "the verification screen by the V key")
        browser.wait(lambda: browser.script("return document.activeElement && document.activeElement.classList.contains('answer')"), "the first field's focus")
        check(True, f"the V key opens the verification screen of #{item_id}, the first of {len(flagged)} flagged fields focused")
        browser.wait(lambda: browser.script("return Array.from(document.querySelectorAll('img.crop')).every(i => i.complete && i.naturalWidth > 0)"),
                     "the crops of the flagged fields")
        browser.screenshot(os.path.join(artifacts, "verify-screen.png"))
        order = browser.script("return Array.from(document.querySelectorAll('#verification .row')).map(r => r.dataset.field)")
        check(sorted(order) == sorted(flagged), f"only the flagged fields are visited ({len(order)})")

        active = lambda: browser.script("var r=document.activeElement.closest('.row'); return r ? r.dataset.field : null")
        # Esc skips the first field, Tab moves on from the second: neither settles anything.
        start = active()
        browser.keys(ESCAPE)
        check(active() != start or len(order) == 1, "Esc skips to the next flagged field")
        second = active()
        browser.keys(TAB)
        check(active() != second or len(order) <= 2, "Tab moves on without settling")
        settled_count = lambda: browser.script("return document.querySelectorAll('#verification .row.settled').length")
        check(settled_count() == 0, "nothing was settled by Esc or Tab")
        typed, accepted = [], []
        verify_url = browser.url
        for _ in range(3 * len(order) + 2):
            if browser.url != verify_url:
                break
            name = active()
            if name is None:
                break
            machine = browser.script("return document.activeElement.closest('.row').dataset.machine")
            want = truth.get(name)
            before_count = settled_count()
            if isinstance(want, str) and want.strip() and " ".join(want.split()) != " ".join(machine.split()):
                browser.keys((CONTROL, "a"), want, ENTER)
                typed.append(name)
            else:
                browser.keys(ENTER)
                accepted.append(name)
            # Settled, refused by the validator (then Enter again keeps the person's value), or verified and gone.
            def moved():
                if browser.url != verify_url:
                    return True
                if settled_count() > before_count:
                    return True
                return "check" == browser.script("var r=document.activeElement.closest('.row'); return r ? r.querySelector('.state').textContent : ''")
            browser.wait(moved, f"field {name} to settle")
            if browser.url == verify_url and settled_count() == before_count:
                browser.keys(ENTER)
                browser.wait(lambda: browser.url != verify_url or settled_count() > before_count, f"field {name} kept")
        browser.wait(lambda: browser.url != verify_url, "the next item after verification")
        check(True, f"every flagged field settled by keyboard ({len(typed)} typed: {', '.join(typed) or 'none'}; {len(accepted)} accepted)")
        check(len(typed) >= 1, "at least one field was corrected by typing")

        after = store_item(item_id)
        check(after["status"] == "verified", f"the store shows #{item_id} verified")
        check(not any(f["needs_review"] for f in after["fields"].values()), "no field of it is flagged any more")
        db = sqlite3.connect(f"file:{state}/queue.sqlite?mode=ro", uri=True)
        rows = db.execute("SELECT field, machine_value, person_value, accepted, user, at FROM field_correction WHERE item_id = ?", (item_id,)).fetchall()
        check(sorted(r[0] for r in rows) == sorted(order), f"each settled field has its correction history ({len(rows)} rows)")
        check(all(r[4] == "otto" and r[5] > 0 for r in rows), "each correction keeps who and when")
        for name in typed:
            row = next(r for r in rows if r[0] == name)
            check(row[3] == 0 and row[1] != row[2], f"the correction of {name} keeps the machine's reading beside the person's value")
            check(" ".join(after["fields"][name]["value"].split()) == " ".join(truth[name].split()), f"{name} now holds the typed value")
        audit = subprocess.run([faxintake, "audit", "list", "--item", str(item_id), "--json", "--state", state], check=True, capture_output=True, text=True).stdout
        actions = [json.loads(line)["action"] for line in audit.splitlines()]
        check("verify_item" in actions and actions.count("correct_field") + actions.count("accept_field") == len(order) and "view_page" in actions,
              f"the audit log has the views, each settled field and the verification ({len(actions)} entries)")

        # The verified item's screen, as a second picture.
        browser.go(console + f"/items/{item_id}")
        browser.wait(lambda: browser.script("var i=document.querySelector('#form-page img'); return i && i.complete && i.naturalWidth > 0"), "the verified item's page")
        check(browser.script("return document.getElementById('item-status').textContent") == "verified", "the item screen says verified")
        browser.screenshot(os.path.join(artifacts, "item-screen-verified.png"))

        # Reprocess a failed item from the failed screen.
        browser.go(console + "/failed")
        buttons = browser.find("button.reprocess-one")
        check(len(buttons) >= 2, f"the failed screen lists failed items ({len(buttons)})")
        # The fax that failed only under the stricter page limit: reprocessed now, it is queued.
        listed = subprocess.run([faxintake, "queue", "list", "--status", "failed", "--json", "--state", state],
                                check=True, capture_output=True, text=True).stdout
        rows = json.loads(listed)
        rows = rows.get("items", rows) if isinstance(rows, dict) else rows
        failed_id = next(row["id"] for row in rows if row["source_file_name"] == "0009.tif")
        check(store_item(failed_id)["failure"]["stage"] == "decode", f"#{failed_id} failed at decode")
        mine = browser.find(f'button.reprocess-one[value="{failed_id}"]')
        check(len(mine) == 1, f"#{failed_id} has its reprocess button")
        browser.click(mine[0])
        browser.wait(lambda: browser.find("p.result"), "the reprocessing result", seconds=120)
        result = browser.script("return document.querySelector('p.result').textContent")
        check(result.startswith(f"#{failed_id}:"), f"reprocessing #{failed_id} reports its outcome: {result.strip()}")
        again = store_item(failed_id)
        check(again["status"] == "queued" and again.get("failure") is None and again.get("form_page") == 1,
              f"the store shows the reprocessed fax queued with its form read (status {again['status']}, form page {again.get('form_page')})")
        audit = subprocess.run([faxintake, "audit", "list", "--item", str(failed_id), "--json", "--state", state], check=True, capture_output=True, text=True).stdout
        check(any(json.loads(line)["action"] == "reprocess" and json.loads(line)["user"] == "otto" for line in audit.splitlines()), "the reprocessing is audited")
    finally:
        browser.quit()
    print(f"browser tests: {len(passed)} passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:
        print(f"not ok - {error}", file=sys.stderr)
        print(f"browser tests: {len(passed)} passed, 1 failed")
        sys.exit(1)
