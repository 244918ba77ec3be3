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
DISPLAY_PDF = ROOT / "tests" / "fixtures" / "pdf" / "display_math.pdf"
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
        # typeset display equations with their boxes on the page (pdflatex)
        ("display.pdf", DISPLAY_PDF.read_bytes()),
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


def _open_page(server: LiveServer, driver) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(server.url + "/")
    WebDriverWait(driver, 60).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1"
    )
    key = driver.find_element(By.ID, "api-key-input")
    key.clear()
    key.send_keys(API_KEY)


def _rect(driver, element_id: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    rect: dict[str, float] = driver.execute_script(
        "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
        "return {x: r.left, y: r.top, w: r.width, h: r.height};",
        element_id,
    )
    return rect


def _check_box_on(driver, bbox: list[float], page: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    """The drawn box lies on the equation's bbox scaled to the page image as shown, inside the
    visible part of the page, and over the equation's ink."""
    import io

    import numpy as np
    from PIL import Image

    img, box, view = (_rect(driver, i) for i in ("page-image", "hit-box", "page-scroll"))
    scale = img["w"] / page["width"]
    assert img["h"] / page["height"] == pytest.approx(scale, rel=0.01)
    expected = (
        img["x"] + bbox[0] * scale,
        img["y"] + bbox[1] * scale,
        (bbox[2] - bbox[0]) * scale,
        (bbox[3] - bbox[1]) * scale,
    )
    assert (box["x"], box["y"], box["w"], box["h"]) == pytest.approx(expected, abs=1.5)
    # scrolled to the hit: the whole box is in view
    assert view["x"] <= box["x"] and box["x"] + box["w"] <= view["x"] + view["w"]
    assert view["y"] <= box["y"] and box["y"] + box["h"] <= view["y"] + view["h"]
    # the equation's ink is inside the box: the page image there is not blank
    shot = np.asarray(Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("L"))
    ratio = driver.execute_script("return window.devicePixelRatio") or 1
    x0, y0 = int((box["x"] + 3) * ratio), int((box["y"] + 3) * ratio)
    x1, y1 = int((box["x"] + box["w"] - 3) * ratio), int((box["y"] + box["h"] - 3) * ratio)
    inside = shot[y0:y1, x0:x1]
    assert inside.size and (inside < 110).mean() > 0.02, "no ink under the box"


def test_browser_equation_hit_opens_its_page_with_the_box(server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    wait = WebDriverWait(driver, 60)
    _open_page(server, driver)
    latex = r"b_n = \frac{2}{L} \int_0^L f(x) \sin\frac{n \pi x}{L} \, dx"
    driver.find_element(By.ID, "latex-input").send_keys(latex)
    driver.find_element(By.CSS_SELECTOR, "#latex-form button").click()
    card = wait.until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#results .result.equation"))
    )
    assert "Transport in a rod" in card.text, card.text
    hit = server.client().get(f"/v1/equations/{card.get_attribute('data-id')}").json()
    page = server.client().get(f"/v1/documents/{hit['document_id']}/pages/{hit['page']}").json()
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "browser-page-view-1-hit.png"))

    card.find_element(By.CSS_SELECTOR, "a.page-link").click()
    wait.until(lambda d: d.find_element(By.ID, "page-view").get_attribute("data-ready") == "1")
    wait.until(lambda d: d.find_element(By.ID, "page-image").get_attribute("data-loaded") == "1")
    assert driver.find_element(By.ID, "zoom-level").text == "100%"
    _check_box_on(driver, hit["bbox"], page)
    driver.save_screenshot(str(ARTIFACTS / "browser-page-view-2-page.png"))

    # Zoom in by the buttons, then by Ctrl+wheel: the box stays on the equation.
    driver.find_element(By.ID, "zoom-in").click()
    driver.find_element(By.ID, "zoom-in").click()
    assert driver.find_element(By.ID, "zoom-level").text == "150%"
    driver.execute_script(
        "document.getElementById('page-scroll').dispatchEvent(new WheelEvent('wheel',"
        " {deltaY: -100, ctrlKey: true, bubbles: true, cancelable: true}));"
    )
    assert driver.find_element(By.ID, "zoom-level").text == "200%"
    wait.until(lambda d: "dpi=200" in (d.find_element(By.ID, "page-image").get_attribute("src")))
    wait.until(lambda d: d.execute_script("return document.getElementById('page-image').complete"))
    driver.find_element(By.ID, "zoom-fit").click()
    driver.find_element(By.ID, "zoom-in").click()
    _check_box_on(driver, hit["bbox"], page)
    driver.save_screenshot(str(ARTIFACTS / "browser-page-view-3-zoomed.png"))
    driver.find_element(By.ID, "page-close").click()
    assert not driver.find_element(By.ID, "page-view").is_displayed()


def test_browser_loose_screenshot_finds_the_formula(
    server: LiveServer, browser, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A screenshot cut loosely around a display equation, with the prose lines above and
    below it, is read as that formula (shown rendered and editable) and finds it first."""
    import pymupdf
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    wait = WebDriverWait(driver, 120)
    client = server.client()
    documents = client.get("/v1/documents", params={"sha256": _sha256(DISPLAY_PDF)}).json()
    document = client.get(f"/v1/documents/{documents['data'][0]['id']}").json()
    target = next(e for e in document["equations"] if e["latex"].startswith("b_"))
    x0, y0, x1, y1 = target["bbox"]
    with pymupdf.open(DISPLAY_PDF) as pdf:
        page = pdf[target["page"] - 1]
        clip = pymupdf.Rect(x0 - 80, y0 - 30, x1 + 80, y1 + 30) & page.rect
        screenshot = tmp_path / "loose-crop.png"
        screenshot.write_bytes(page.get_pixmap(dpi=150, clip=clip).tobytes("png"))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "browser-loose-crop-input.png").write_bytes(screenshot.read_bytes())

    _open_page(server, driver)
    driver.find_element(By.ID, "image-input").send_keys(str(screenshot))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#ocr-read #ocr-math .katex")))
    first = wait.until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#results .result.equation"))
    )
    assert first.get_attribute("data-id") == str(target["id"]), first.text
    read = driver.find_element(By.ID, "ocr-latex").get_attribute("value")
    assert read.startswith("b_")
    driver.save_screenshot(str(ARTIFACTS / "browser-loose-crop-1-found.png"))
    # The LaTeX read is editable: a corrected formula is searched again, its editor kept.
    editor = driver.find_element(By.ID, "ocr-latex")
    editor.clear()
    editor.send_keys(r"\tan(\mu L)=-\frac{\kappa\mu}{\beta}")
    driver.find_element(By.ID, "ocr-search").click()
    wait.until(lambda d: "tan" in d.find_element(By.ID, "status").text)
    assert driver.find_element(By.ID, "ocr-latex").is_displayed()
    top = driver.find_element(By.CSS_SELECTOR, "#results .result.equation")
    assert "Transport in a rod" in top.text
    driver.save_screenshot(str(ARTIFACTS / "browser-loose-crop-2-corrected.png"))


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_browser_docs_render_offline(server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    driver.get_log("browser")  # drop what earlier tests left
    driver.get(server.url + "/docs")
    # Swagger UI from the app's own files lists the operations (the machine has no network).
    WebDriverWait(driver, 15).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#swagger-ui .opblock"))
    )
    assert len(driver.find_elements(By.CSS_SELECTOR, "#swagger-ui .opblock")) >= 10
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "browser-docs.png"))
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert not severe, severe  # a CSP refusal would show here


def test_browser_narrow_window_no_horizontal_overflow(server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    wait = WebDriverWait(driver, 60)
    size = driver.get_window_size()
    driver.set_window_size(400, 900)
    try:
        _open_page(server, driver)
        assert driver.execute_script("return window.innerWidth") <= 400

        def overflow() -> tuple[int, int]:
            widths: tuple[int, int] = tuple(  # type: ignore[assignment]
                driver.execute_script(
                    "return [document.documentElement.scrollWidth, window.innerWidth]"
                )
            )
            return widths

        scroll, inner = overflow()
        assert scroll <= inner, "the search form is wider than the window"
        latex = r"b_n = \frac{2}{L} \int_0^L f(x) \sin\frac{n \pi x}{L} \, dx"
        driver.find_element(By.ID, "latex-input").send_keys(latex)
        driver.find_element(By.CSS_SELECTOR, "#latex-form button").click()
        card = wait.until(
            ec.presence_of_element_located((By.CSS_SELECTOR, "#results .result.equation .katex"))
        )
        scroll, inner = overflow()
        assert scroll <= inner, "the results are wider than the window"
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "browser-narrow-1-results.png"))
        card = driver.find_element(By.CSS_SELECTOR, "#results .result.equation")
        card.find_element(By.CSS_SELECTOR, "a.page-link").click()
        wait.until(
            lambda d: d.find_element(By.ID, "page-image").get_attribute("data-loaded") == "1"
        )
        scroll, inner = overflow()
        assert scroll <= inner, "the page view is wider than the window"
        toolbar = _rect(driver, "page-view")
        assert toolbar["x"] >= 0 and toolbar["x"] + toolbar["w"] <= inner
        driver.save_screenshot(str(ARTIFACTS / "browser-narrow-2-page-view.png"))
    finally:
        driver.set_window_size(size["width"], size["height"])
