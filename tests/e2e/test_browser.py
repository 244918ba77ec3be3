"""The web page in headless Chromium: LaTeX search with rendered results, image search, text."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.e2e._live import (
    API_KEY,
    PAPER_TEX,
    ROOT,
    SAMPLES,
    LiveServer,
    formula_png,
    start_server,
    wait_for_job,
)

pytestmark = [pytest.mark.browser, pytest.mark.model, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1400",
)


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI must run the browser test: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("browser") / "data", None)
    client = live.client()
    for name, data in (
        ("triangles.tex", PAPER_TEX),
        ("heat.pdf", (SAMPLES / "heat-equation-note.pdf").read_bytes()),
    ):
        answer = client.post(
            "/v1/documents", files={"file": (name, data, "application/octet-stream")}
        )
        assert wait_for_job(client, answer.json()["job"]["id"])["status"] == "succeeded"
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        _missing(
            f"{CHROMIUM} or {CHROMEDRIVER} not found (apt-get install chromium chromium-driver)"
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (pip install selenium==4.51.0)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_browser_latex_image_and_text_search(server: LiveServer, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    wait = WebDriverWait(driver, 60)
    driver.get(server.url + "/")
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")

    # Typing LaTeX renders it live with the locally served KaTeX.
    box = driver.find_element(By.ID, "latex-input")
    box.send_keys("x^2+y^2=z^2")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#latex-preview .katex")))
    driver.find_element(By.CSS_SELECTOR, "#latex-form button").click()
    # This server sets keys: a search without one gets the server's reason on the page.
    wait.until(lambda d: "missing API key" in d.find_element(By.ID, "status").text)
    assert not driver.find_elements(By.CSS_SELECTOR, "#results .result.equation")
    driver.find_element(By.ID, "api-key-input").send_keys(API_KEY)
    driver.find_element(By.CSS_SELECTOR, "#latex-form button").click()
    first = wait.until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#results .result.equation .katex"))
    )
    assert first.is_displayed()
    cards = driver.find_elements(By.CSS_SELECTOR, "#results .result.equation")
    assert "Right Triangles" in cards[0].text
    assert "(eq:pyth)" in cards[0].text or "(1)" in cards[0].text
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "browser-latex-results.png"))

    # Adding a paper from the page: upload, the worker ingests it, the page links the document.
    paper = tmp_path / "gradient-descent-note.pdf"
    paper.write_bytes((SAMPLES / "gradient-descent-note.pdf").read_bytes())
    driver.find_element(By.ID, "upload-input").send_keys(str(paper))
    driver.find_element(By.CSS_SELECTOR, "#upload-form button").click()
    upload_status = driver.find_element(By.ID, "upload-status")
    WebDriverWait(driver, 180).until(
        lambda d: "indexed" in upload_status.text or "error" in upload_status.get_attribute("class")
    )
    assert "is indexed" in upload_status.text, upload_status.text
    link = driver.find_element(By.CSS_SELECTOR, "#upload-status a.doc-link")
    link.click()
    view = wait.until(ec.presence_of_element_located((By.ID, "doc-view")))
    assert "gradient-descent-note.pdf" in view.text
    # A file that is no paper gets the server's reason on the page, nothing is stored.
    junk = tmp_path / "notes.pdf"
    junk.write_bytes(b"this is not a PDF at all")
    driver.find_element(By.ID, "upload-input").send_keys(str(junk))
    driver.find_element(By.CSS_SELECTOR, "#upload-form button").click()
    wait.until(
        lambda d: (
            "notes.pdf:" in d.find_element(By.ID, "upload-status").text
            and "error" in (d.find_element(By.ID, "upload-status").get_attribute("class") or "")
        )
    )

    # A screenshot of a formula, uploaded, is read by OCR and searched. OCR runs a model, so
    # on this keyed server it needs the key the page now keeps (entered for the search).
    image = tmp_path / "formula.png"
    image.write_bytes(formula_png("a+b=c"))
    driver.find_element(By.ID, "image-input").send_keys(str(image))
    read = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#ocr-read .katex")))
    assert read.is_displayed()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#results .result.equation")))
    wait.until(lambda d: "a+b=c" in d.find_element(By.ID, "status").text)
    driver.save_screenshot(str(ARTIFACTS / "browser-image-results.png"))

    # Text search, then the document view listing its equations.
    driver.find_element(By.ID, "text-input").send_keys("temperature diffusion in a rod")
    driver.find_element(By.CSS_SELECTOR, "#text-form button").click()
    passage = wait.until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#results .result.passage"))
    )
    assert "Heat Equation" in passage.text
    # Words and a formula in the same box: the passage the words find and the equation the
    # formula finds, from their two papers.
    box = driver.find_element(By.ID, "text-input")
    box.clear()
    box.send_keys("temperature in a rod $x^2+y^2=z^2$")
    driver.find_element(By.CSS_SELECTOR, "#text-form button").click()
    wait.until(lambda d: "paper(s) for" in d.find_element(By.ID, "status").text)
    kinds = {
        e.get_attribute("class") for e in driver.find_elements(By.CSS_SELECTOR, "#results .result")
    }
    assert any("equation" in k for k in kinds) and any("passage" in k for k in kinds), kinds
    driver.find_element(By.ID, "latex-input").clear()
    driver.get(server.url + "/#doc/1")
    view = wait.until(ec.presence_of_element_located((By.ID, "doc-view")))
    assert "Right Triangles" in view.text
    wait.until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#results .result.equation .katex"))
    )
    assert len(driver.find_elements(By.CSS_SELECTOR, "#results .result.equation")) >= 3
    driver.save_screenshot(str(ARTIFACTS / "browser-results.png"))
    # The refused requests above (a search without a key, the fake PDF) are logged by the
    # browser's network layer on purpose; any other severe entry is a bug.
    expected = (
        "/v1/search/equations - Failed to load resource: the server responded with a status of 401",
        "/v1/documents - Failed to load resource: the server responded with a status of 415",
    )
    severe = [
        e
        for e in driver.get_log("browser")
        if e.get("level") == "SEVERE" and not any(x in e.get("message", "") for x in expected)
    ]
    assert not severe, "browser console errors"
    assert os.path.getsize(ARTIFACTS / "browser-results.png") > 10_000
