// notifier inspector: the list of deliveries, live, and one delivery's detail.
// Everything that comes from a delivery is put into the page as text (never
// as HTML), and only http(s) and data: media URLs ever become links or
// sources.
"use strict";

(() => {
  const token = document.querySelector('meta[name="notifier-token"]').content;
  const $ = (id) => document.getElementById(id);
  const rows = new Map(); // seq -> {summary, tr}
  const filters = { verdict: $("f-verdict"), status: $("f-status"), model: $("f-model") };
  let config = { webhook_url: "", forward_to: "", can_resign: false };
  let selected = 0;

  // el builds an element; strings among the children become text nodes.
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("data-") || k === "title") e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  // safeURL lets through http(s) URLs, and data: URLs of media only.
  function safeURL(u, media) {
    try {
      const p = new URL(u, location.href).protocol;
      if (p === "http:" || p === "https:") return u;
      if (media && p === "data:" && /^data:(image|audio|video)\//.test(u)) return u;
    } catch (_) { /* not a URL */ }
    return null;
  }

  function time(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return "";
    const p = (n, w) => String(n).padStart(w || 2, "0");
    return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
  }

  function lag(ms) {
    if (ms === undefined || ms === null) return "";
    if (Math.abs(ms) < 1000) return `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
    return `${(ms / 1000).toFixed(2)} s`;
  }

  function answerText(a) {
    if (!a) return "";
    if (a.error) return `error: ${a.error}`;
    return `${a.status} (${lag(a.duration_ms)})`;
  }

  function badge(verdict, reason) {
    return el("span", { class: `badge v-${verdict}`, title: reason || undefined }, verdict);
  }

  // --- the list -----------------------------------------------------------

  function rowFor(s) {
    const tr = el("tr", { "data-seq": String(s.seq), "data-verdict": s.verdict, class: s.history ? "history" : "" },
      el("td", { title: s.received_at }, time(s.received_at)),
      el("td", {}, badge(s.verdict, s.reason), s.reason && s.reason !== s.verdict ? el("span", { class: "reason" }, " " + s.reason) : null),
      el("td", { class: "id", title: s.webhook_id }, s.webhook_id || "–"),
      el("td", { class: "id", title: s.prediction_id || "" }, s.prediction_id || "–"),
      el("td", {}, s.model || ""),
      el("td", { class: s.status ? `s-${s.status}` : "" }, s.status || ""),
      el("td", {}, s.event || "", s.lag_ms !== undefined ? el("span", { class: "conn" }, ` +${lag(s.lag_ms)}`) : null),
      el("td", { class: s.forward && (s.forward.error || s.forward.status >= 300) ? "reason" : "" }, answerText(s.forward)));
    tr.addEventListener("click", () => select(s.seq));
    if (s.seq === selected) tr.classList.add("selected");
    return tr;
  }

  function addOption(sel, value) {
    if (!value || [...sel.options].some((o) => o.value === value)) return;
    sel.append(el("option", { value }, value));
  }

  function matches(s) {
    return (!filters.verdict.value || s.verdict === filters.verdict.value) &&
      (!filters.status.value || s.status === filters.status.value) &&
      (!filters.model.value || s.model === filters.model.value);
  }

  function put(s) {
    const old = rows.get(s.seq);
    const tr = rowFor(s);
    tr.hidden = !matches(s);
    if (old) old.tr.replaceWith(tr);
    else $("rows").prepend(tr); // newest first
    rows.set(s.seq, { summary: s, tr });
    addOption(filters.status, s.status);
    addOption(filters.model, s.model);
    counts();
  }

  function counts() {
    let shown = 0;
    for (const r of rows.values()) if (!r.tr.hidden) shown++;
    $("count").textContent = rows.size === shown ? `${rows.size} deliveries` : `${shown} of ${rows.size} deliveries`;
    $("empty").hidden = rows.size > 0;
  }

  function applyFilters() {
    for (const r of rows.values()) r.tr.hidden = !matches(r.summary);
    counts();
  }

  function reset() {
    rows.clear();
    $("rows").replaceChildren();
    counts();
  }

  // --- the detail ---------------------------------------------------------

  async function select(seq) {
    selected = seq;
    for (const r of rows.values()) r.tr.classList.toggle("selected", r.summary.seq === seq);
    const pane = $("detail");
    const resp = await fetch(`/api/deliveries/${seq}`);
    if (selected !== seq) return;
    if (!resp.ok) {
      pane.replaceChildren(el("p", { class: "reason" }, (await resp.json()).error));
      pane.hidden = false;
      return;
    }
    pane.replaceChildren(...detail(await resp.json()).filter((n) => n));
    pane.hidden = false;
  }

  function detail(d) {
    const out = [
      el("h2", {}, `Delivery #${d.seq} `, badge(d.verdict, d.reason)),
      d.reason && d.reason !== d.verdict ? el("p", { class: "reason" }, d.reason) : null,
      el("dl", {},
        el("dt", {}, "received"), el("dd", {}, d.received_at),
        el("dt", {}, "webhook-id"), el("dd", {}, d.webhook_id || "–"),
        el("dt", {}, "answered"), el("dd", {}, String(d.http_status)),
        el("dt", {}, "size"), el("dd", {}, `${d.size} bytes${d.body_truncated ? " (only a prefix was kept)" : ""}`),
        d.forward ? [el("dt", {}, "forward"), el("dd", {}, `${answerText(d.forward)} ← ${d.forward.target || ""}`)] : null),
      actions(d),
    ];
    const p = d.prediction;
    if (p) {
      out.push(el("h2", { id: "prediction-heading" }, "Prediction"),
        el("dl", { id: "prediction" },
          el("dt", {}, "id"), el("dd", {}, p.id),
          p.model ? [el("dt", {}, "model"), el("dd", {}, p.model)] : null,
          p.version ? [el("dt", {}, "version"), el("dd", {}, p.version)] : null,
          el("dt", {}, "status"), el("dd", { class: `s-${p.status}` }, p.status),
          p.web_url && safeURL(p.web_url) ? [el("dt", {}, "page"), el("dd", {}, el("a", { href: safeURL(p.web_url), target: "_blank", rel: "noopener noreferrer" }, p.web_url))] : null));
      if (p.outputs && p.outputs.length) out.push(el("h2", {}, "Output"), outputs(p.outputs));
      if (p.error) out.push(el("h2", {}, "Error"), el("pre", { class: "reason" }, p.error));
      if (d.timeline && d.timeline.length) out.push(el("h2", {}, "Timeline"), timeline(d.timeline));
      if (p.logs) out.push(el("h2", {}, "Logs"), el("pre", { id: "logs" }, p.logs));
      if (p.metrics) out.push(el("h2", {}, "Metrics"), el("pre", {}, p.metrics));
    }
    out.push(el("h2", {}, "Request"), el("p", {}, `${d.method} ${d.path}`),
      el("table", { class: "headers", id: "headers" }, el("tbody", {}, d.headers.map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", {}, v))))));
    if (d.pretty) out.push(el("h2", {}, "Body"), el("pre", { id: "body-pretty" }, d.pretty));
    out.push(el("details", { open: !d.pretty },
      el("summary", {}, d.body_base64 ? "Raw body (base64: not UTF-8)" : "Raw body"),
      el("pre", { id: "body-raw" }, d.body || "(no body)")));
    return out;
  }

  function timeline(ms) {
    return el("ol", { class: "timeline" }, ms.map((m) => el("li", { class: m.current ? "current" : "" },
      el("span", { class: "t" }, time(m.at)), m.what,
      m.verdict ? [" ", badge(m.verdict)] : null,
      m.lag_ms !== undefined ? ` +${lag(m.lag_ms)}` : "",
      m.seq && !m.current ? [" ", el("a", { href: "#", onclick: (e) => { e.preventDefault(); select(m.seq); } }, `#${m.seq}`)] : null)));
  }

  function outputs(list) {
    return el("div", { class: "outputs", id: "outputs" }, list.map((o) => {
      if (o.kind === "text" || o.kind === "json") return el("pre", { class: `output-${o.kind}` }, o.text);
      const u = safeURL(o.url, true);
      if (!u) return null;
      const link = el("a", { href: u, target: "_blank", rel: "noopener noreferrer", download: "" }, o.name || o.url);
      switch (o.kind) {
        case "image": return el("figure", {}, el("img", { src: u, alt: o.name || "image output", referrerPolicy: "no-referrer" }), link);
        case "audio": return el("figure", {}, el("audio", { src: u, controls: true, preload: "metadata" }), link);
        case "video": return el("figure", {}, el("video", { src: u, controls: true, preload: "metadata" }), link);
      }
      return el("p", {}, "file: ", link);
    }));
  }

  function actions(d) {
    const to = el("input", { type: "url", id: "replay-to", placeholder: config.forward_to || "http://localhost:3000/webhooks", value: "" });
    const resign = el("input", { type: "checkbox", id: "replay-resign", checked: config.can_resign, disabled: !config.can_resign });
    const result = el("span", { class: "answer", id: "replay-answer" });
    const replay = el("button", { type: "button", id: "replay" }, "Replay");
    replay.addEventListener("click", async () => {
      result.className = "answer";
      result.textContent = "sending…";
      try {
        const resp = await post(`/api/deliveries/${d.seq}/replay`, { to: to.value.trim(), resign: resign.checked });
        const a = await resp.json();
        if (!resp.ok) throw new Error(a.error);
        const ok = !a.error && a.status >= 200 && a.status < 300;
        result.className = `answer ${ok ? "ok" : "bad"}`;
        result.textContent = `${answerText(a)} from ${a.target}`;
      } catch (e) {
        result.className = "answer bad";
        result.textContent = e.message;
      }
    });
    const curlOut = el("textarea", { id: "curl", readOnly: true, hidden: true });
    const curl = el("button", { type: "button", id: "copy-curl" }, "Copy as curl");
    curl.addEventListener("click", async () => {
      const q = to.value.trim() ? `?to=${encodeURIComponent(to.value.trim())}` : "";
      const resp = await fetch(`/api/deliveries/${d.seq}/curl${q}`);
      const text = resp.ok ? await resp.text() : (await resp.json()).error;
      curlOut.value = text;
      curlOut.hidden = false;
      if (resp.ok && navigator.clipboard) navigator.clipboard.writeText(text).then(() => { curl.textContent = "Copied"; }, () => {});
    });
    const download = el("a", { href: `/api/deliveries/${d.seq}/record`, download: `delivery-${d.seq}.jsonl`, id: "download" }, "Download record");
    const canReplay = !d.body_truncated && d.body !== "";
    return el("div", {},
      el("div", { class: "actions" },
        canReplay ? [to, el("label", { title: config.can_resign ? "same webhook-id, new timestamp and signature" : "no signing secret in this session" }, resign, " re-sign"), replay] : null,
        canReplay ? curl : null, download, result),
      curlOut);
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Notifier-Token": token },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  // --- wiring -------------------------------------------------------------

  for (const f of Object.values(filters)) f.addEventListener("change", applyFilters);
  $("clear").addEventListener("click", async () => {
    const resp = await post("/api/clear");
    if (resp.ok) {
      selected = 0;
      $("detail").hidden = true;
    }
  });

  fetch("/api/config").then((r) => r.json()).then((c) => {
    config = c;
    $("session").textContent = `webhooks at ${c.webhook_url}` + (c.forward_to ? ` → forwarded to ${c.forward_to}` : "");
  });

  const conn = $("conn");
  const es = new EventSource("/events");
  es.addEventListener("open", () => { conn.textContent = "live"; conn.className = "conn live"; });
  es.addEventListener("error", () => { conn.textContent = "reconnecting…"; conn.className = "conn"; });
  es.addEventListener("reset", reset);
  es.addEventListener("status", (e) => { $("status").textContent = JSON.parse(e.data).text; });
  es.addEventListener("delivery", (e) => put(JSON.parse(e.data)));
  es.addEventListener("update", (e) => {
    const s = JSON.parse(e.data);
    if (rows.has(s.seq)) put(s);
  });
  counts();
})();
