"""Screenshots of the demo's index page and of one pair's HTML report, 1280 and 800 pixels wide, into docs/img/.

    python docs/screenshots.py            # from a checkout with crosscheck installed; needs chromium on PATH

It runs ``crosscheck demo`` into a temporary folder (which fetches the Nova code, as the demo does), then
headless Chromium on ``index.html`` and on the quickstart pair's page, with no network of its own. The
README shows the pictures; run this again when the pages change, and look at the pictures before committing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
IMAGES = DOCS / "img"
PAGES = {"index": ("index.html", 1000), "report": ("quickstart.html", 1500)}
"""Picture name: (page in the demo's folder, height in pixels)."""
WIDTHS = (1280, 800)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--force-device-scale-factor=1"]


def chromium() -> str:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        raise SystemExit("screenshots: chromium is not installed (apt-get install chromium)")
    return binary


def shoot(page: Path, picture: Path, width: int, height: int) -> None:
    """One screenshot of ``page`` in a window of ``width`` x ``height``, with a fresh browser profile."""
    with tempfile.TemporaryDirectory(prefix="crosscheck-chromium-") as profile:
        subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                        f"--screenshot={picture}", page.as_uri()], capture_output=True, check=True, timeout=120)


def main() -> int:
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="crosscheck-demo-") as folder:
        demo = subprocess.run([sys.executable, "-m", "crosscheck", "demo", "--quiet", "--output-dir", folder],
                              capture_output=True, text=True, check=False)
        if demo.returncode != 0:
            raise SystemExit(f"screenshots: crosscheck demo exited {demo.returncode}: {demo.stderr[-2000:]}")
        for name, (page, height) in PAGES.items():
            for width in WIDTHS:
                picture = IMAGES / f"{name}-{width}.png"
                shoot(Path(folder) / page, picture, width, height)
                print(f"wrote {picture.relative_to(DOCS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
