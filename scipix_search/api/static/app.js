// scipix-search web page: LaTeX search with live KaTeX preview, image search, text search,
// and a document view. Plain browser JavaScript, no build step, no network beyond this server.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const latexInput = $("latex-input");
  const preview = $("latex-preview");
  const results = $("results");
  const statusLine = $("status");

  function setStatus(text, isError) {
    statusLine.textContent = text || "";
    statusLine.className = isError ? "error" : "";
  }

  // One element builder for the page and its page view (pageview.js loads first).
  const el = window.scipixPageView.el;

  function renderMath(target, latex, displayMode) {
    try {
      katex.render(latex, target, { throwOnError: true, displayMode: !!displayMode });
      return true;
    } catch (err) {
      target.textContent = latex;
      return false;
    }
  }

  async function api(path, options) {
    options = options || {};
    // The key typed in the page (kept by keepKey) goes with every request.
    const key = window.localStorage && localStorage.getItem("scipixApiKey");
    if (key) options.headers = Object.assign({}, options.headers, { "X-API-Key": key });
    const answer = await fetch(path, options);
    let body = null;
    try { body = await answer.json(); } catch (e) { body = null; }
    if (!answer.ok) {
      const reason = (body && (body.reason || body.error)) || answer.statusText;
      throw new Error(reason);
    }
    return body;
  }

  // -- live preview ---------------------------------------------------------------------
  function updatePreview() {
    const latex = latexInput.value.trim();
    preview.classList.remove("error");
    if (!latex) { preview.textContent = ""; return; }
    try {
      katex.render(latex, preview, { throwOnError: true, displayMode: true });
    } catch (err) {
      preview.textContent = err.message.replace(/^KaTeX parse error: /, "");
      preview.classList.add("error");
    }
  }

  // -- results --------------------------------------------------------------------------
  function thumbnail(hit) {
    if (!hit.page || !hit.bbox) return null;
    const bbox = hit.bbox.map((v) => v.toFixed(1)).join(",");
    const img = el("img", {
      class: "thumb",
      alt: "page " + hit.page + " region",
      src: "/v1/documents/" + hit.document_id + "/pages/" + hit.page + "/image?bbox=" + bbox,
    });
    img.addEventListener("error", () => img.remove());
    img.addEventListener("click", () => openPage(hit));
    return img;
  }

  function openPage(hit) {
    // The whole page at the hit, zoomable, its region boxed (pageview.js).
    window.scipixPageView.open(hit.document_id, hit.page, hit.bbox, hit.title || hit.source)
      .catch((err) => setStatus(err.message, true));
  }

  function byline(paper) {
    // "Lovelace, Gauss et al. (2021)": the paper's first authors' surnames and its year.
    const names = (paper.authors || []).slice(0, 2).map((a) => a.split(" ").pop());
    let text = names.join(", ") + ((paper.authors || []).length > 2 ? " et al." : "");
    if (paper.year) text = (text + " (" + paper.year + ")").trim();
    return text;
  }

  function metaLine(hit) {
    const parts = [];
    const title = el("a", {
      class: "doc-link",
      text: hit.title || hit.source,
      href: "#doc/" + hit.document_id,
    });
    parts.push(title);
    const by = byline(hit);
    if (by) parts.push(el("span", { class: "byline", text: " — " + by }));
    if (hit.page && hit.bbox) {
      parts.push(document.createTextNode(" · "));
      parts.push(el("a", {
        class: "page-link", text: "page " + hit.page, href: "#", title: "show it on the page",
        onclick: (event) => { event.preventDefault(); openPage(hit); },
      }));
    } else if (hit.page) parts.push(document.createTextNode(" · page " + hit.page));
    if (hit.number) {
      parts.push(document.createTextNode(" · "));
      parts.push(el("span", { class: "number", text: "(" + hit.number + ")" }));
    }
    if (typeof hit.score === "number") {
      // The probability that the hit is relevant, one scale for every kind; the kind's own
      // ranking score is in the tooltip.
      const raw = typeof hit.raw_score === "number" ? " (raw score " + hit.raw_score.toFixed(4) + ")" : "";
      parts.push(document.createTextNode(" · "));
      parts.push(el("span", {
        class: "score", text: "relevance " + Math.round(hit.score * 100) + "%",
        title: "estimated probability that this hit is relevant" + raw,
      }));
    }
    return el("div", { class: "meta" }, parts);
  }

  function equationCard(hit) {
    const math = el("div", { class: "math" });
    renderMath(math, hit.latex, true);
    const similar = el("a", { text: "similar", href: "#similar/" + hit.id });
    const meta = metaLine(hit);
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(similar);
    return el("article", { class: "result equation", "data-id": String(hit.id) }, [
      el("div", {}, [math, meta]),
      thumbnail(hit),
    ]);
  }

  function passageCard(hit) {
    return el("article", { class: "result passage" }, [
      el("div", {}, [el("div", { class: "text", text: hit.text }), metaLine(hit)]),
      null,
    ]);
  }

  function showHits(hits, emptyText) {
    results.replaceChildren();
    if (!hits.length) { setStatus(emptyText || "No results."); return; }
    const card = (hit) => (hit.kind === "equation" ? equationCard(hit) : passageCard(hit));
    // Close matches first; the rest under a heading that says they are only the nearest.
    const close = hits.filter((hit) => hit.close_match !== false);
    const far = hits.filter((hit) => hit.close_match === false);
    close.forEach((hit) => results.appendChild(card(hit)));
    if (far.length) {
      results.appendChild(el("h3", {
        class: "no-close", id: "no-close",
        text: close.length ? "Not close matches:" : "No close match — nearest:",
      }));
      far.forEach((hit) => results.appendChild(card(hit)));
    }
  }

  // -- searches -------------------------------------------------------------------------
  async function searchLatex(latex) {
    setStatus("Searching…");
    try {
      const body = await api("/v1/search/equations", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ latex: latex, k: 20 }),
      });
      showHits(body.data, "No equations match.");
      if (body.data.length) setStatus(body.count + " equation(s) for " + latex);
    } catch (err) {
      results.replaceChildren();
      setStatus(err.message, true);
    }
  }

  async function searchImage(file) {
    if (!file || !file.type.startsWith("image/")) { setStatus("That is not an image.", true); return; }
    setStatus("Reading the formula…");
    const form = new FormData();
    form.append("image", file, file.name || "pasted.png");
    form.append("k", "20");
    try {
      const body = await api("/v1/search/equations", { method: "POST", body: form });
      const ocr = body.ocr || { latex: body.query, parses: true };
      latexInput.value = ocr.latex || "";
      updatePreview();
      showHits(body.data, ocr.parses ? "No equations match." : "");
      const read = ocrEditor(ocr);
      results.prepend(read);
      if (ocr.parses) {
        setStatus(body.count + " equation(s) for the image (read as " + body.query + ")");
      } else {
        setStatus(ocr.message || "The formula read from the image is not valid LaTeX: correct it.", true);
      }
    } catch (err) {
      results.replaceChildren();
      setStatus(err.message, true);
    }
  }

  // What OCR read from a screenshot, rendered, and editable before searching again: a
  // misread symbol is corrected here rather than by retyping the formula.
  function ocrEditor(ocr) {
    const rendered = el("div", { class: "ocr-math", id: "ocr-math" });
    const input = el("input", {
      id: "ocr-latex", type: "text", spellcheck: "false", "aria-label": "LaTeX read from the image",
    });
    input.value = ocr.latex || "";
    const render = () => {
      rendered.classList.remove("error");
      try {
        katex.render(input.value, rendered, { throwOnError: true, displayMode: true });
      } catch (err) {
        rendered.textContent = err.message.replace(/^KaTeX parse error: /, "");
        rendered.classList.add("error");
      }
    };
    input.addEventListener("input", render);
    render();
    const again = async (event) => {
      event.preventDefault();
      const latex = input.value.trim();
      if (!latex) return;
      latexInput.value = latex;
      updatePreview();
      await searchLatex(latex);
      results.prepend(block);
    };
    const block = el("form", { class: "ocr-read", id: "ocr-read", onsubmit: again }, [
      el("div", { class: "ocr-head", text: ocr.parses ? "Read from the image (edit and search again):"
        : "Read from the image, but not valid LaTeX - correct it:" }),
      rendered,
      el("div", { class: "row" }, [input, el("button", { type: "submit", id: "ocr-search", text: "Search again" })]),
    ]);
    return block;
  }

  async function searchMixed(q) {
    // Words and $formulas$ in one box: papers fused from both, each with what found it.
    setStatus("Searching…");
    try {
      const body = await api("/v1/search?" + new URLSearchParams({ q: q, k: "20" }));
      const hits = [];
      body.documents.forEach((doc) => {
        const paper = { authors: doc.authors, year: doc.year };
        if (doc.passage) hits.push(Object.assign({}, doc.passage, paper));
        doc.equations.forEach((eq) => hits.push(Object.assign({}, eq, paper)));
      });
      showHits(hits, "No paper matches.");
      if (hits.length) {
        setStatus(body.count + " paper(s) for \u201c" + body.words + "\u201d and " +
          body.formulas.length + " formula(s)");
      }
    } catch (err) {
      results.replaceChildren();
      setStatus(err.message, true);
    }
  }

  async function searchText(q) {
    if (q.includes("$")) { await searchMixed(q); return; }
    setStatus("Searching…");
    try {
      const body = await api("/v1/search/documents?" + new URLSearchParams({ q: q, k: "20" }));
      showHits(body.data, "No passages match.");
      if (body.data.length) setStatus(body.count + " passage(s) in " + body.documents.length + " document(s)");
    } catch (err) {
      results.replaceChildren();
      setStatus(err.message, true);
    }
  }

  async function showSimilar(id) {
    setStatus("Finding similar equations…");
    try {
      const body = await api("/v1/equations/" + id + "/similar?k=20");
      showHits(body.data, "No similar equations.");
      if (body.data.length) setStatus(body.count + " equation(s) similar to #" + id);
    } catch (err) { setStatus(err.message, true); }
  }

  async function showDocument(id) {
    setStatus("Loading document…");
    try {
      const doc = await api("/v1/documents/" + id);
      results.replaceChildren();
      const view = el("section", { class: "doc-view", id: "doc-view" }, [
        el("h2", { text: doc.title || doc.source }),
        el("p", {
          class: "byline",
          text: [(doc.authors || []).join(", "), doc.year, doc.arxiv_id && "arXiv:" + doc.arxiv_id,
            doc.doi && "doi:" + doc.doi].filter(Boolean).join(" · "),
        }),
        el("p", {
          class: "meta",
          text: doc.source + " · " + doc.kind + " · " + doc.page_count + " page(s) · " +
            doc.equations.length + " equation(s) · " + doc.passage_count + " passage(s)",
        }),
      ]);
      results.appendChild(view);
      doc.equations.forEach((eq) => {
        results.appendChild(equationCard({
          kind: "equation", id: eq.id, document_id: doc.id, source: doc.source, title: doc.title,
          page: eq.page, bbox: eq.bbox, number: eq.number, latex: eq.latex,
        }));
      });
      setStatus("");
    } catch (err) { setStatus(err.message, true); }
  }

  // -- adding a paper ------------------------------------------------------------------
  const uploadStatus = $("upload-status");

  function setUploadStatus(nodes, isError) {
    uploadStatus.replaceChildren(...nodes.map((n) => (typeof n === "string" ? document.createTextNode(n) : n)));
    uploadStatus.className = isError ? "error" : "";
  }

  function documentLink(id, text) {
    return el("a", { href: "#doc/" + id, text: text, class: "doc-link" });
  }

  async function pollJob(job, name) {
    // The worker ingests in the background: poll until the job ends (uploads are 202 Accepted).
    while (job.status === "queued" || job.status === "running") {
      setUploadStatus([name + ": " + job.status + "…"]);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      job = await api("/v1/jobs/" + job.id);
    }
    if (job.status === "succeeded" && job.document_id) {
      setUploadStatus([name + " is indexed: ", documentLink(job.document_id, "open document #" + job.document_id)]);
    } else {
      setUploadStatus([name + " could not be ingested: " + (job.error || job.status)], true);
    }
  }

  async function uploadFile(file) {
    if (!file) { setUploadStatus(["Choose a file first."], true); return; }
    const form = new FormData();
    form.append("file", file, file.name);
    setUploadStatus(["Uploading " + file.name + "…"]);
    try {
      const body = await api("/v1/documents", { method: "POST", body: form });
      if (body.status === "present" && body.document) {
        setUploadStatus([file.name + " is already indexed: ", documentLink(body.document.id, "open document #" + body.document.id)]);
      } else {
        await pollJob(body.job, file.name);
      }
    } catch (err) {
      // Server reasons often name the file already.
      const reason = err.message.startsWith(file.name) ? err.message : file.name + ": " + err.message;
      setUploadStatus([reason], true);
    }
  }

  function route() {
    const hash = location.hash.replace(/^#/, "");
    const [view, id] = hash.split("/");
    if (view === "doc" && id) showDocument(id);
    else if (view === "similar" && id) showSimilar(id);
  }

  // -- wiring ---------------------------------------------------------------------------
  function init() {
    latexInput.addEventListener("input", updatePreview);
    $("latex-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const latex = latexInput.value.trim();
      if (!latex) { setStatus("Type a LaTeX formula first.", true); return; }
      searchLatex(latex);
    });
    $("text-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const q = $("text-input").value.trim();
      if (!q) { setStatus("Type some words first.", true); return; }
      searchText(q);
    });
    $("image-input").addEventListener("change", (event) => searchImage(event.target.files[0]));
    const keyInput = $("api-key-input");
    keyInput.value = (window.localStorage && localStorage.getItem("scipixApiKey")) || "";
    // Servers that set SCIPIX_API_KEYS want a key on searches, OCR and uploads: keep the one
    // typed here for this browser, so every later request sends it.
    const keepKey = () => {
      const key = keyInput.value.trim();
      if (window.localStorage) {
        if (key) localStorage.setItem("scipixApiKey", key);
        else localStorage.removeItem("scipixApiKey");
      }
    };
    keyInput.addEventListener("input", keepKey);
    $("upload-form").addEventListener("submit", (event) => {
      event.preventDefault();
      keepKey();
      uploadFile($("upload-input").files[0]);
    });
    const zone = $("drop-zone");
    zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("over");
      searchImage(event.dataTransfer.files[0]);
    });
    document.addEventListener("paste", (event) => {
      const item = Array.from(event.clipboardData.items).find((i) => i.type.startsWith("image/"));
      if (item) { event.preventDefault(); searchImage(item.getAsFile()); }
    });
    window.addEventListener("hashchange", route);
    updatePreview();
    route();
    document.body.dataset.ready = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
