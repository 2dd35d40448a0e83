"""`mkdocs serve` renders pins but never writes the calendar file (SPEC)."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from conftest import MKDOCS, build_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_renders_pins_without_touching_the_calendar(site_copy: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [str(MKDOCS), "serve", "--no-livereload", "-a", f"127.0.0.1:{port}"],
        cwd=site_copy,
        env=build_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        image = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/assets/pinplan/slow-pinning-1.jpg"
                with urllib.request.urlopen(url, timeout=2) as response:
                    image = response.read()
                break
            except OSError:
                time.sleep(0.3)
        assert image is not None and image[:3] == b"\xff\xd8\xff", "pin not served"
        assert not (site_copy / "pinplan" / "calendar.json").exists()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            _, stderr = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            _, stderr = server.communicate()
    assert "Traceback" not in stderr
    assert "not written (serve)" in stderr
