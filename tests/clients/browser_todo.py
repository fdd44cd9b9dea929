"""Drives the to-do app (fixtures/lambda-runtime/todo) in headless Chromium, through
`lambda-sim serve`'s HTTP front door, as a user would: adds two to-dos with the form, marks the
first done by clicking it, then checks that a reload, and a second browser with nothing in
common with the first, show the same list (so it came from the API, not from the page).

    browser_todo.py URL SCREENSHOT

URL is the page (`http://127.0.0.1:PORT/`); SCREENSHOT is where the full-page PNG goes. Prints
a JSON summary on stdout (`items`, the list as the page shows it at the end; `api`, the list
as `GET api/todos` answers it); on any mismatch, prints `error: ...` on stderr and exits 1.

Chromium is Debian's (`/usr/bin/chromium`, or `CHROMIUM`), driven by Playwright, with a fresh
profile each time and none of its background connections (the machine has no network).
"""

import json
import os
import sys
import tempfile
import urllib.parse

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TITLES = ["Buy oat milk", "Write the front door test"]
TIMEOUT_MS = 15_000


class Mismatch(Exception):
    """What the page showed is not what it should have."""


def launch(playwright, profile):
    """A Chromium with the fresh profile directory `profile`."""
    return playwright.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        args=ARGS,
        viewport={"width": 1000, "height": 700},
    )


def watch(page, problems):
    """Collects the page's script errors, console errors, failed requests and error answers
    into `problems`."""
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: message.type == "error"
        and problems.append(f"console error: {message.text} ({message.location.get('url')})"),
    )
    page.on(
        "response",
        lambda response: response.status >= 400
        and problems.append(f"{response.request.method} {response.url} answered {response.status}"),
    )
    page.on(
        "requestfailed",
        lambda request: problems.append(
            f"request failed: {request.method} {request.url}: {request.failure}"
        ),
    )


def shown(page):
    """The list as the page shows it: `[{"id", "title", "done"}]`, top to bottom."""
    return page.eval_on_selector_all(
        "#todos li",
        """items => items.map(li => ({
            id: Number(li.dataset.id),
            title: li.querySelector('.title').textContent,
            done: li.dataset.done === 'true',
        }))""",
    )


def open_page(page, url):
    """Opens `url` and waits for the list to be loaded from the API."""
    response = page.goto(url)
    if response is None or response.status != 200:
        status = response.status if response else "no response"
        raise Mismatch(f"GET {url} answered {status}, not 200")
    page.wait_for_selector("body[data-loaded=true]")


def wait_for_list(page, expected, when):
    """Waits until the page shows the titles and states of `expected`, in order."""
    want = [(item["title"], item["done"]) for item in expected]
    try:
        page.wait_for_function(
            """want => {
                const items = [...document.querySelectorAll('#todos li')];
                return items.length === want.length && items.every((li, i) =>
                    li.querySelector('.title').textContent === want[i][0] &&
                    (li.dataset.done === 'true') === want[i][1]);
            }""",
            arg=want,
        )
    except PlaywrightError:
        got = [(item["title"], item["done"]) for item in shown(page)]
        raise Mismatch(f"{when}: the list shows {got}, expected {want}") from None
    return shown(page)


def add(page, title):
    """Adds a to-do with the form, as a user does: type, then click Add."""
    page.fill("#title", "")
    page.type("#title", title)
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/api/todos")
    ) as created:
        page.click("#add-button")
    if created.value.status != 201:
        raise Mismatch(f"adding {title!r} answered {created.value.status}, not 201")
    return created.value.json()


def run(url, screenshot):
    problems = []
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profiles:
        browser = launch(playwright, os.path.join(profiles, "first"))
        page = browser.new_page()
        watch(page, problems)
        open_page(page, url)
        before = shown(page)
        expected = [dict(item) for item in before]

        added = []
        for title in TITLES:
            item = add(page, title)
            added.append({"id": item["id"], "title": title, "done": False})
            expected.append(added[-1])
            wait_for_list(page, expected, f"after adding {title!r}")

        first = added[0]
        with page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/done")
        ) as done:
            page.click(f"#todos li[data-id='{first['id']}'] button")
        if done.value.status != 200:
            raise Mismatch(f"marking {TITLES[0]!r} done answered {done.value.status}")
        first["done"] = True
        wait_for_list(page, expected, f"after marking {TITLES[0]!r} done")

        page.reload()
        page.wait_for_selector("body[data-loaded=true]")
        after_reload = wait_for_list(page, expected, "after a reload")
        page.screenshot(path=screenshot, full_page=True)
        api = page.request.get(urllib.parse.urljoin(url, "api/todos"))
        if api.status != 200:
            raise Mismatch(f"GET api/todos answered {api.status}")
        api_items = api.json()
        browser.close()

        # Another browser, with a profile of its own: nothing the first one kept can help it.
        other = launch(playwright, os.path.join(profiles, "second"))
        page = other.new_page()
        watch(page, problems)
        open_page(page, url)
        second_browser = wait_for_list(page, expected, "in a second browser")
        other.close()

    if api_items != after_reload:
        raise Mismatch(f"the API answers {api_items}, the page showed {after_reload}")
    if second_browser != after_reload:
        raise Mismatch(f"a second browser shows {second_browser}, the first {after_reload}")
    if problems:
        raise Mismatch("the page had errors: " + "; ".join(problems))
    return {
        "url": url,
        "before": before,
        "items": after_reload,
        "api": api_items,
        "second_browser": second_browser,
        "screenshot": screenshot,
        "screenshot_bytes": os.path.getsize(screenshot),
    }


def main():
    if len(sys.argv) != 3:
        print("usage: browser_todo.py URL SCREENSHOT", file=sys.stderr)
        return 2
    url, screenshot = sys.argv[1], sys.argv[2]
    try:
        summary = run(url, screenshot)
    except (Mismatch, PlaywrightError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
