"""Only the question-series screenshots (member-scores.png, review-scores.png)
from the same demo as take.py: the three weeks of history plus six months of
BARC-10 scores (devtools.demo_series). `make screenshots` takes the rest, and
its member.png and review.png show the same sections in place.

    .venv/bin/python docs/screenshots/take_series.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import take  # noqa: E402


def main() -> int:
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="screenshots-series-"))
    try:
        port = take.free_port()
        env = take.demo_environment(tmp, f"http://127.0.0.1:{port}")
        take.manage(env, "migrate", "--noinput")
        ids = take.play_history(env)
        shots = []
        with take.running_server(env, port, tmp / "runlocal.log") as base:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=take.CHROMIUM, args=take.CHROMIUM_ARGS)
                try:
                    page = take.sign_in(browser, base, take.SAM, take.DESKTOP)
                    page.goto(f"{base}/members/{ids['dana']}")
                    page.wait_for_load_state("networkidle")
                    section = page.locator("section:has(svg.score-chart)").first
                    section.scroll_into_view_if_needed()
                    path = take.OUT_DIR / "member-scores.png"
                    section.screenshot(path=str(path))
                    shots.append(path)
                    page = take.sign_in(browser, base, take.VERA, take.DESKTOP)
                    page.goto(base + "/review/")
                    page.wait_for_load_state("networkidle")
                    section = page.locator("section:has(h2:has-text('BARC-10'))").first
                    section.scroll_into_view_if_needed()
                    path = take.OUT_DIR / "review-scores.png"
                    section.screenshot(path=str(path))
                    shots.append(path)
                    page.goto(f"{base}/settings/{ids['program']}/series")
                    shots.append(take.shoot(page, "series-settings", full_page=True))
                finally:
                    browser.close()
        take.quantize(shots)
        for path in shots:
            print(f"  {path.relative_to(take.ROOT)}  {path.stat().st_size // 1024} KB")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
