// scipix-search page view: a hit shown where it is - the whole page, zoomable (buttons,
// Ctrl+wheel or pinch), scrolled to the hit, its region boxed. The box is drawn over the page
// image in page percentages, so it stays on the region at any zoom; the page's size in PDF
// points (the unit of every bbox) comes from GET /v1/documents/{id}/pages/{n}.
"use strict";

(function () {
  const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4];
  let state = null;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    });
    (children || []).forEach((c) => c && node.appendChild(c));
    return node;
  }

  async function getJson(path) {
    const key = window.localStorage && localStorage.getItem("scipixApiKey");
    const answer = await fetch(path, key ? { headers: { "X-API-Key": key } } : {});
    let body = null;
    try { body = await answer.json(); } catch (e) { body = null; }
    if (!answer.ok) throw new Error((body && (body.reason || body.error)) || answer.statusText);
    return body;
  }

  function overlay() {
    let view = document.getElementById("page-view");
    if (view) return view;
    view = el("section", { id: "page-view", class: "page-view", hidden: "", "aria-label": "page" });
    document.body.appendChild(view);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && state) close();
    });
    return view;
  }

  function close() {
    const view = overlay();
    view.hidden = true;
    view.replaceChildren();
    document.body.classList.remove("page-open");
    state = null;
    if (location.hash.startsWith("#page/")) history.replaceState(null, "", location.pathname + location.search);
  }

  // The fitted width: the page as wide as the scroll area (less its padding).
  function fitWidth() {
    return Math.max(200, state.scroll.clientWidth - 32);
  }

  function applyZoom(zoom, keepCentre) {
    const scroll = state.scroll;
    // The point at the centre of the view stays there across a zoom.
    const cx = (scroll.scrollLeft + scroll.clientWidth / 2) / Math.max(1, state.canvas.offsetWidth);
    const cy = (scroll.scrollTop + scroll.clientHeight / 2) / Math.max(1, state.canvas.offsetHeight);
    state.zoom = Math.min(ZOOMS[ZOOMS.length - 1], Math.max(ZOOMS[0], zoom));
    state.canvas.style.width = Math.round(fitWidth() * state.zoom) + "px";
    state.level.textContent = Math.round(state.zoom * 100) + "%";
    if (state.zoom > 1.4 && !state.sharp) {
      // Past ~1.4x a 150 dpi image blurs: fetch the page at the API's largest resolution.
      state.sharp = true;
      state.img.src = state.src(200);
    }
    if (keepCentre) {
      scroll.scrollLeft = cx * state.canvas.offsetWidth - scroll.clientWidth / 2;
      scroll.scrollTop = cy * state.canvas.offsetHeight - scroll.clientHeight / 2;
    }
  }

  function step(direction) {
    const next = direction > 0
      ? ZOOMS.find((z) => z > state.zoom + 1e-6)
      : ZOOMS.slice().reverse().find((z) => z < state.zoom - 1e-6);
    if (next !== undefined) applyZoom(next, true);
  }

  function scrollToBox() {
    if (!state.boxNode) return;
    const scroll = state.scroll;
    const box = state.boxNode;
    scroll.scrollTop = Math.max(0, box.offsetTop + box.offsetHeight / 2 - scroll.clientHeight / 2);
    scroll.scrollLeft = Math.max(0, box.offsetLeft + box.offsetWidth / 2 - scroll.clientWidth / 2);
  }

  /**
   * Open page `number` of document `documentId` with `bbox` ([x0, y0, x1, y1], PDF points,
   * or null) boxed; `label` names the hit in the header.
   */
  async function open(documentId, number, bbox, label) {
    const view = overlay();
    const page = await getJson("/v1/documents/" + documentId + "/pages/" + number);
    view.replaceChildren();
    const level = el("span", { id: "zoom-level", class: "zoom-level", text: "100%" });
    const toolbar = el("div", { class: "page-toolbar" }, [
      el("strong", { text: (label || "document " + documentId) + " \u00b7 page " + number }),
      el("span", { class: "spacer" }),
      el("button", { id: "zoom-out", type: "button", title: "Zoom out", text: "\u2212", onclick: () => step(-1) }),
      level,
      el("button", { id: "zoom-in", type: "button", title: "Zoom in", text: "+", onclick: () => step(1) }),
      el("button", { id: "zoom-fit", type: "button", title: "Fit the width", text: "Fit", onclick: () => { applyZoom(1, false); scrollToBox(); } }),
      el("button", { id: "page-close", type: "button", title: "Close (Esc)", text: "Close", onclick: close }),
    ]);
    const base = "/v1/documents/" + documentId + "/pages/" + number + "/image?highlight=false&dpi=";
    const img = el("img", { id: "page-image", alt: "page " + number, src: base + "150" });
    const canvas = el("div", { id: "page-canvas", class: "page-canvas" }, [img]);
    let boxNode = null;
    if (bbox) {
      const [x0, y0, x1, y1] = bbox;
      boxNode = el("div", { id: "hit-box", class: "hit-box" });
      boxNode.style.left = (100 * x0 / page.width) + "%";
      boxNode.style.top = (100 * y0 / page.height) + "%";
      boxNode.style.width = (100 * (x1 - x0) / page.width) + "%";
      boxNode.style.height = (100 * (y1 - y0) / page.height) + "%";
      canvas.appendChild(boxNode);
    }
    // The canvas keeps the page's aspect before the image arrives, so the box and the
    // scroll position are right at once.
    canvas.style.aspectRatio = page.width + " / " + page.height;
    const scroll = el("div", { id: "page-scroll", class: "page-scroll" }, [canvas]);
    view.append(toolbar, scroll);
    view.hidden = false;
    document.body.classList.add("page-open");
    state = { zoom: 1, scroll, canvas, img, level, boxNode, sharp: false, src: (dpi) => base + dpi };
    scroll.addEventListener("wheel", (event) => {
      // Ctrl+wheel (and a trackpad pinch, which browsers send as one) zooms; a plain wheel scrolls.
      if (!event.ctrlKey && !event.metaKey) return;
      event.preventDefault();
      step(event.deltaY < 0 ? 1 : -1);
    }, { passive: false });
    img.addEventListener("load", () => { img.dataset.loaded = "1"; });
    img.addEventListener("error", () => {
      toolbar.appendChild(el("span", { class: "error", text: " the page image could not be loaded" }));
    });
    applyZoom(1, false);
    scrollToBox();
    view.dataset.ready = "1";
  }

  window.scipixPageView = { open: open, close: close, el: el };
})();
