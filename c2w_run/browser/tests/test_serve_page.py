"""`c2w-run serve`: the image in an xterm.js terminal page, driven over CDP in real headless
Chromium: the shell prompt appears, a typed `uname -a` prints the guest's kernel line, and the
screenshot is written next to the test's tmp files (serve.png)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from c2w_run.browser import cdp, chromium

from .conftest import REPO


def test_terminal_page_shows_a_prompt_and_the_output_of_uname(image: Path, tmp_path: Path) -> None:
    server = subprocess.Popen([sys.executable, "-m", "c2w_run.cli", "serve", "--port", "0", str(image)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, text=True)
    browser = None
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = re.search(r"http://\S+/", line)
        assert url, (line, server.stderr.read() if server.poll() is not None else "")
        binary = chromium.find()
        assert binary
        browser = chromium.Browser(binary, url.group(0), extra=("--window-size=1000,600",), devtools=True)
        page = cdp.Page(browser.devtools_url())
        page.wait_for("window.c2w && window.c2w.state === 'running' && /[#$] $/m.test(window.c2w.text())", 90)
        page.type_text("uname -a")
        page.press_enter()
        text = page.wait_for("/Linux \\S+ .* riscv64/.test(window.c2w.text()) && window.c2w.text()", 30)
        assert re.search(r"^/ # uname -a$", text, re.M), text
        png = page.screenshot()
        (tmp_path / "serve.png").write_bytes(png)
        assert png.startswith(b"\x89PNG") and len(png) > 5000
        # what the page shows (xterm's DOM renderer): the same prompt and output
        rows = page.evaluate("document.querySelector('.xterm-rows').innerText")
        assert "uname -a" in rows and "riscv64" in rows, rows
        page.close()
    finally:
        if browser is not None:
            browser.close()
        server.terminate()
        server.wait(10)


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "text.wasm").write_text("not wasm")
    cases = [([], "required"), ([str(tmp_path / "missing.wasm")], "does not exist"),
             ([str(tmp_path / "text.wasm")], "is not a WebAssembly module"),
             (["--port", "70000", str(tmp_path / "text.wasm")], "not a WebAssembly module")]
    for args, words in cases:
        r = subprocess.run([sys.executable, "-m", "c2w_run.cli", "serve", *args], capture_output=True, text=True,
                           timeout=60, cwd=REPO)
        assert r.returncode == 2 and r.stdout == "", (args, r)
        assert len(r.stderr.splitlines()) == 1 and words in r.stderr, (args, r.stderr)
