"""Take a screenshot of a report in headless Chromium (Debian's chromium + chromedriver).

Usage: python tools/screenshot_report.py reports/report.html reports/report.png
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests_browser import open_browser  # noqa: E402  (same folder)


def main() -> None:
    report, png = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    driver = open_browser(width=1400, height=1800)
    try:
        driver.get(report.as_uri())
        driver.save_screenshot(str(png))
    finally:
        driver.quit()
    print(f"wrote {png}")


if __name__ == "__main__":
    main()
