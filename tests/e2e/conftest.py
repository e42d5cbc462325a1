"""Browser tests: the real app on a loopback port, Debian's Chromium through Playwright."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import chromium, live_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PWA_DIST = Path(__file__).resolve().parents[2] / "tenant-pwa" / "dist" / "index.html"


@pytest.fixture(scope="module")
def base_url(app):  # type: ignore[no-untyped-def]
    """The app served on 127.0.0.1 for the module's browser tests."""
    assert PWA_DIST.is_file(), "build the PWA first (`make build-pwa`)"
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """One headless Chromium for the module."""
    with chromium() as instance:
        yield instance


@pytest.fixture()
def context(browser):  # type: ignore[no-untyped-def]
    """A fresh browser profile (cookies, IndexedDB, service workers) per test."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="es-ES")
    yield ctx
    ctx.close()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Keep a screenshot of a main screen as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
