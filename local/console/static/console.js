// sluice local console: state selection, history filters, the input editor and live updates.
// Plain JavaScript, no dependencies; every page works without it except the live refresh.
"use strict";
(function () {
  const prefix = document.body.dataset.prefix || "/_console/";
  let selected = decodeURIComponent((location.hash.match(/state=([^&]*)/) || [])[1] || "");

  function select(name) {
    selected = name || "";
    document.querySelectorAll("#state-details [data-state]").forEach((el) => {
      const on = el.classList.contains("state-empty") ? !selected : el.dataset.state === selected;
      el.hidden = !on;
    });
    document.querySelectorAll("#graph .node").forEach((n) => n.classList.toggle("selected", n.dataset.state === selected));
    const hash = selected ? "#state=" + encodeURIComponent(selected) : " ";
    if (location.hash !== hash) history.replaceState(null, "", hash === " " ? location.pathname + location.search : hash);
  }

  function applyFilters() {
    const type = (document.getElementById("evtype") || {}).value || "";
    const text = ((document.getElementById("evsearch") || {}).value || "").toLowerCase();
    document.querySelectorAll("#events tr.ev").forEach((tr) => {
      const detail = tr.nextElementSibling;
      const hay = (tr.textContent + " " + (detail ? detail.textContent : "")).toLowerCase();
      const show = (!type || tr.dataset.type === type) && (!text || hay.includes(text));
      tr.hidden = !show;
      if (detail) detail.hidden = !show || !tr.classList.contains("open");
    });
  }

  document.addEventListener("click", (e) => {
    const node = e.target.closest("#graph .node, .timeline .tlrow, a.pick");
    if (node) {
      e.preventDefault();
      select(node.dataset.state === selected && !node.matches("a.pick") ? "" : node.dataset.state);
      return;
    }
    const row = e.target.closest("#events tr.ev");
    if (row) {
      row.classList.toggle("open");
      const d = row.nextElementSibling;
      if (d && d.classList.contains("evd")) d.hidden = !row.classList.contains("open");
      return;
    }
    if (e.target.id === "expand-all") {
      const rows = document.querySelectorAll("#events tr.ev:not([hidden])");
      const open = !Array.from(rows).every((r) => r.classList.contains("open"));
      rows.forEach((r) => { r.classList.toggle("open", open); r.nextElementSibling.hidden = !open; });
      e.target.textContent = open ? "Collapse all" : "Expand all";
    }
    if (e.target.id === "format") {
      const ta = document.getElementById("input");
      try { ta.value = JSON.stringify(JSON.parse(ta.value), null, 2); showInputError(""); } catch (err) { showInputError(err.message); }
    }
  });
  document.addEventListener("keydown", (e) => {
    if ((e.key === "Enter" || e.key === " ") && e.target.matches && e.target.matches("#graph .node")) {
      e.preventDefault();
      select(e.target.dataset.state);
    }
  });
  document.addEventListener("input", (e) => {
    if (e.target.id === "evsearch") applyFilters();
    if (e.target.id === "input") {
      try { JSON.parse(e.target.value); showInputError(""); } catch (err) { showInputError(err.message); }
    }
  });
  document.addEventListener("change", (e) => { if (e.target.id === "evtype") applyFilters(); });

  function showInputError(msg) {
    const p = document.getElementById("input-error");
    if (!p) return;
    p.textContent = msg ? "The input is not valid JSON: " + msg : "";
    p.hidden = !msg;
  }
  const form = document.getElementById("startform");
  if (form) {
    form.addEventListener("submit", (e) => {
      try { JSON.parse(document.getElementById("input").value); } catch (err) { e.preventDefault(); showInputError(err.message); }
    });
  }

  // Live updates: the server says when what a region shows changed (an execution's history, or the
  // list of executions); the page redraws that region from a fresh copy of itself, keeping the selected
  // state, the open events and the filters.
  function redraw(id) {
    return fetch(location.pathname + location.search, { cache: "no-store", credentials: "same-origin" })
      .then((r) => r.text())
      .then((html) => {
        const doc = new DOMParser().parseFromString(html, "text/html");
        const fresh = doc.getElementById(id);
        const cur = document.getElementById(id);
        if (!fresh || !cur) return;
        const open = new Set(Array.from(cur.querySelectorAll("#events tr.ev.open")).map((r) => r.dataset.id));
        const type = (document.getElementById("evtype") || {}).value, text = (document.getElementById("evsearch") || {}).value;
        cur.replaceWith(document.importNode(fresh, true));
        document.querySelectorAll("#events tr.ev").forEach((r) => { if (open.has(r.dataset.id)) r.classList.add("open"); });
        if (type) document.getElementById("evtype").value = type;
        if (text) document.getElementById("evsearch").value = text;
        applyFilters();
        select(selected);
        document.body.dataset.redraws = String(Number(document.body.dataset.redraws || 0) + 1);
      });
  }
  function follow() {
    const region = document.querySelector("[data-live]");
    if (!region || !region.id || !window.EventSource) return;
    const id = region.id;
    const es = new EventSource(region.dataset.live);
    let busy = false, again = false;
    const update = () => {
      if (busy) { again = true; return; }
      busy = true;
      redraw(id).finally(() => { busy = false; if (again) { again = false; update(); } });
    };
    es.addEventListener("change", update);
    es.addEventListener("end", () => { es.close(); update(); });
    es.addEventListener("gone", () => es.close());
  }

  select(selected);
  applyFilters();
  follow();
})();
