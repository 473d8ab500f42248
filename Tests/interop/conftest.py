"""Interop suite: `switchboard sign`/`verify` against the vendors' own Python SDKs."""

from __future__ import annotations

import pytest

from switchboard_cli import BINARY


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-modules",
        default="",
        help="comma-separated test modules (file stems) that must each contribute tests; "
        "guards `make test` against a suite that silently collects nothing",
    )


def pytest_configure(config: pytest.Config) -> None:
    if not BINARY.is_file():
        raise pytest.UsageError(f"{BINARY} does not exist: build first (swift build), or set SWITCHBOARD_BIN")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    required = {name for name in config.getoption("--require-modules").split(",") if name}
    collected = {item.path.stem for item in items}
    missing = sorted(required - collected)
    if missing:
        raise pytest.UsageError(f"no tests collected from: {', '.join(missing)}")
