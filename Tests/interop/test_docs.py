"""The docs against the running program (issue 12 §9).

- Every `curl` example in README.md, docs/*.md and mappings/README.md runs as written against
  `switchboard serve` started with the shipped development config (Config/switchboard.json; only its port
  and store path are moved to a temporary place) and gets a 2xx. A comment after it (on its line or the
  next) is the answer expected: an optional status, then JSON the answer must contain.
- Every error text the docs quote (an inline code span in one of the program's error forms) is triggered
  here and must be what the program prints, `<placeholder>`, `...` and `…` standing for any text. A
  quoted error with no trigger in `TRIGGERS` fails the test: the docs cannot quote an error nobody checked.
(The configuration keys and command-line options are checked against the parsers by the Swift suite's
`DocsMatchProgramTests`.)
"""

from __future__ import annotations

import json
import pathlib
import re
import shlex
import shutil
import subprocess
import urllib.request

import pytest

from gateway_process import Gateway, management, send
from switchboard_cli import BINARY, ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "mappings" / "README.md"]
DEV_CONFIG = ROOT / "Config" / "switchboard.json"


def shell_blocks(path: pathlib.Path) -> list[str]:
    """The ```sh blocks of a Markdown file, continuation lines joined."""
    blocks = re.findall(r"```sh\n(.*?)```", path.read_text(), flags=re.S)
    return [block.replace("\\\n", " ") for block in blocks]


def curl_examples() -> list[tuple[str, str, str]]:
    """(where, command line, expectation) of every curl example addressed to the gateway's documented port.
    The expectation is the comment after the command: on its line (`  # {...}`) or on the next line of
    the block (`# 202 {...}`): an optional status, then JSON the answer must contain."""
    examples = []
    for path in DOCS:
        for block in shell_blocks(path):
            lines = block.splitlines()
            for index, line in enumerate(lines):
                if not (line.strip().startswith("curl ") and "127.0.0.1:8080" in line):
                    continue
                command, _, comment = line.strip().partition("  #")
                following = lines[index + 1].strip() if index + 1 < len(lines) else ""
                if not comment and following.startswith("#"):
                    comment = following.lstrip("#")
                examples.append((path.name, command.strip(), comment.strip()))
    return examples


def contains(answer: object, expected: object) -> bool:
    """Whether `answer` holds every member `expected` names, with the same values."""
    if isinstance(expected, dict):
        return isinstance(answer, dict) and all(key in answer and contains(answer[key], value)
                                                 for key, value in expected.items())
    return answer == expected


def dev_gateway() -> Gateway:
    """The shipped development config, as `make run` starts it, on a free port and a temporary store."""
    config = json.loads(DEV_CONFIG.read_text())
    config.pop("listen", None)
    config.pop("store", None)
    return Gateway(config)


def test_the_readme_has_curl_examples() -> None:
    assert len(curl_examples()) >= 3, curl_examples()


@pytest.mark.parametrize("where,command,expectation", curl_examples())
def test_curl_example_runs_as_written(where: str, command: str, expectation: str) -> None:
    gateway = dev_gateway()
    try:
        line = command.replace("http://127.0.0.1:8080", f"http://127.0.0.1:{gateway.port}")
        result = subprocess.run(shlex.split(line) + ["-w", "\n%{http_code}"], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"{where}: {command}: curl failed: {result.stderr}"
        body, _, status = result.stdout.rpartition("\n")
        assert status.startswith("2"), f"{where}: {command}\nanswered {status}: {body}"
        expected_status, _, expected_json = expectation.partition(" ") if expectation[:1].isdigit() else ("", "", expectation)
        if expected_status:
            assert status == expected_status, f"{where}: {command}\nanswered {status}: {body}"
        if expected_json.startswith("{"):
            json_text = expected_json[:expected_json.rindex("}") + 1]
            assert contains(json.loads(body), json.loads(json_text)), f"{where}: {command}\nanswered {body}"
    finally:
        gateway.close()


# --- Quoted errors -------------------------------------------------------------------------------------

# The program's error forms: `switchboard: …` on stderr, and `<field or file>: <reason>` messages.
ERROR_FORM = re.compile(r"^(switchboard: .+|[\w.\[\]\"/-]+: .*\b(must|is required|unknown|not|older|resolves|in use|refused|cannot)\b.*"
                        r"|.+ is in use by pid .+)$")


def code_spans(text: str) -> list[str]:
    """The inline code spans of Markdown text, line by line (fenced blocks left out)."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    spans = []
    for line in text.splitlines():
        parts = line.split("`")
        spans.extend(parts[1:len(parts) - 1:2] if len(parts) % 2 == 1 else parts[1:-1:2])
    return spans


def quoted_errors() -> list[tuple[str, str]]:
    """(file, text) of every error text the docs quote."""
    found = []
    for path in DOCS:
        for span in code_spans(path.read_text()):
            where = str(path.relative_to(ROOT))
            if ERROR_FORM.match(span) and (where, span) not in found:
                found.append((where, span))
    return found


def as_pattern(quote: str) -> re.Pattern[str]:
    """A quoted error as a pattern: `<placeholder>`, `...` and `…` stand for any text."""
    pieces = re.split(r"(<[^<>]+>|\.\.\.|…)", quote)
    return re.compile("".join(".+?" if index % 2 else re.escape(piece) for index, piece in enumerate(pieces)))


def api(gateway: Gateway, method: str, path: str, body: dict | None = None) -> dict:
    return json.loads(management(gateway, "sk_docs", method, path, body or {})[1])


def error_message(reply: dict) -> str:
    return reply["error"]["message"]


@pytest.fixture(scope="module")
def strict_gateway():
    """The default outbound policy (no private networks) but for 127.0.0.2, where the endpoints these
    triggers create point (nothing is delivered to them), one API key, the Salpre source of the dev config."""
    config = json.loads(DEV_CONFIG.read_text())
    gateway = Gateway({"api_keys": ["sk_docs"], "sources": config["sources"],
                       "delivery": {"allow_cidrs": ["127.0.0.2/32"]}})
    yield gateway
    gateway.close()


def config_error(tmp: pathlib.Path) -> str:
    """What `serve` prints for a configuration with an unknown key."""
    path = tmp / "bad.json"
    path.write_text(json.dumps({"listen": {"host": "127.0.0.1", "port": 0}, "stor": {}}))
    result = subprocess.run([str(BINARY), "serve", "--config", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    return result.stderr.strip()


def mapping_error(tmp: pathlib.Path) -> str:
    """What `switchboard check` prints for a mapping file with a misspelt function."""
    shutil.copytree(ROOT / "mappings", tmp / "mappings")
    salpre = tmp / "mappings" / "salpre.json"
    document = json.loads(salpre.read_text())
    document["decode"]["call_ended"]["set"]["call.started_at"] = {"@tmie": "$.timestamp_utc"}
    salpre.write_text(json.dumps(document))
    result = subprocess.run([str(BINARY), "check", "--mappings", "mappings"], capture_output=True, text=True,
                            timeout=60, cwd=tmp)
    assert result.returncode != 0
    return result.stderr.strip()


def store_in_use(gateway: Gateway, tmp: pathlib.Path) -> str:
    """What a second `serve` on the store of a running gateway prints."""
    path = tmp / "second.json"
    path.write_text(json.dumps({"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": str(gateway.store_path)}}))
    result = subprocess.run([str(BINARY), "serve", "--config", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2, result.stderr
    return result.stderr.strip()


def salpre_is_test_error(gateway: Gateway) -> str:
    body = json.dumps({"event_type": "call_ringing", "timestamp_utc": 1760084555,
                       "payload": {"call_id": 77, "from": "+15550100", "to": "+15550199"}, "is_test": "no"}).encode()
    request = urllib.request.Request(gateway.url("/v1/ingest/salpre"), data=body, method="POST",
                                     headers={"X-Salpre-Token": "dev-salpre-token"})
    status, _, reply = send(request)
    assert status == 422
    return error_message(json.loads(reply))


ENDPOINT_URL = "http://127.0.0.2:9/docs"


def recover_too_old(gateway: Gateway) -> str:
    created = api(gateway, "POST", "/v1/webhook_endpoints", {"url": ENDPOINT_URL})
    return error_message(api(gateway, "POST", f"/v1/webhook_endpoints/{created['id']}/recover", {"since": 1}))


def rotate_with_bad_grace(gateway: Gateway) -> str:
    created = api(gateway, "POST", "/v1/webhook_endpoints", {"url": ENDPOINT_URL})
    return error_message(api(gateway, "POST", f"/v1/webhook_endpoints/{created['id']}/rotate_secret",
                             {"grace_period_seconds": -1}))


def webhook_signature_error(gateway: Gateway, change: bool) -> str:
    """A OneInbox webhook created with an unknown `signature`, or a v1 one PATCHed to v1a."""
    webhook = {"name": "docs", "url": ENDPOINT_URL, "events": ["call.started"]}
    if not change:
        return error_message(api(gateway, "POST", "/v1/webhooks", {**webhook, "signature": "v2"}))
    created = api(gateway, "POST", "/v1/webhooks", webhook)
    return error_message(api(gateway, "PATCH", f"/v1/webhooks/{created['id']}", {"signature": "v1a"}))


# Each quoted error, and how to make the program print it (given a gateway and a scratch folder).
TRIGGERS = {
    'url: scheme "ftp" is not http or https':
        lambda gw, tmp: error_message(api(gw, "POST", "/v1/webhook_endpoints", {"url": "ftp://hooks.example.test/x"})),
    "url: host resolves to 127.0.0.1, a loopback address":
        lambda gw, tmp: error_message(api(gw, "POST", "/v1/webhook_endpoints", {"url": "http://127.0.0.1:9/x"})),
    "since: ... is older than the retention of 30 days ...": lambda gw, tmp: recover_too_old(gw),
    "grace_period_seconds: must be an integer from 0 to 2592000, got …": lambda gw, tmp: rotate_with_bad_grace(gw),
    "switchboard: config error: <file>: <key>: <reason>": lambda gw, tmp: config_error(tmp),
    "switchboard: config error: …": lambda gw, tmp: config_error(tmp),
    'mappings/salpre.json: decode.call_ended.set["call.started_at"]: unknown function @tmie':
        lambda gw, tmp: mapping_error(tmp),
    "store <path> is in use by pid <n>": store_in_use,
    "signature: cannot be changed (this webhook signs v1): create a new webhook with the signature wanted":
        lambda gw, tmp: webhook_signature_error(gw, change=True),
    'signature: must be "v1" or "v1a", got …': lambda gw, tmp: webhook_signature_error(gw, change=False),
    'call_ringing: is_test must be a JSON boolean (true or false), got a string "no"':
        lambda gw, tmp: salpre_is_test_error(gw),
}


def test_the_docs_quote_errors() -> None:
    assert len(quoted_errors()) >= 5, quoted_errors()


@pytest.mark.parametrize("where,quote", quoted_errors())
def test_a_quoted_error_is_what_the_program_prints(where: str, quote: str, strict_gateway: Gateway,
                                                   tmp_path: pathlib.Path) -> None:
    assert quote in TRIGGERS, f"{where} quotes an error no test triggers: add it to TRIGGERS in {__file__}: {quote}"
    printed = TRIGGERS[quote](strict_gateway, tmp_path)
    assert as_pattern(quote).search(printed), f"{where} quotes `{quote}`, the program prints `{printed}`"
