"""Sign in to a running demo server and fetch the dashboard and one unit page.

Usage: python scripts/smoke_check.py http://127.0.0.1:8765
"""

import http.cookiejar
import re
import sys
import time
import urllib.parse
import urllib.request


def main(base: str) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    deadline = time.monotonic() + 600
    while True:
        try:
            login_page = opener.open(f"{base}/login/", timeout=10).read().decode()
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.exit("The demo server did not answer within 600 seconds.")
            time.sleep(2)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    form = urllib.parse.urlencode(
        {"username": "manager", "password": "demo-manager", "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"}
    )
    dashboard = opener.open(request, timeout=30).read().decode()
    if "Dashboard" not in dashboard:
        sys.exit("Signing in as the demo manager did not reach the dashboard.")
    units = opener.open(f"{base}/units/", timeout=30).read().decode()
    match = re.search(r'href="(/units/\d+/)"', units)
    if not match:
        sys.exit("The unit list shows no unit links.")
    unit_page = opener.open(f"{base}{match.group(1)}", timeout=30).read().decode()
    if "History" not in unit_page:
        sys.exit(f"The unit page {match.group(1)} has no history section.")
    print(f"Smoke test passed: signed in, dashboard, unit list and {match.group(1)} served.")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
