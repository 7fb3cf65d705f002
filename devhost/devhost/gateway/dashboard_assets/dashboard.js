// The host's dashboard: polls /_host/functions (the meters) and /_host/recent (invocations
// and platform lines since the last poll) and draws them. Every text from the host goes in
// through textContent, never as HTML. No libraries: the page must work offline.
"use strict";

(() => {
  const POLL_MS = 1000;
  const WINDOW_S = 300;
  const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"];

  const state = {
    functions: {}, // logical id -> latest /_host/functions entry
    colours: {},
    points: [], // {t, fn, ms, cold, outcome}
    environments: [], // {t, live: {fn: n}}
    lines: [],
    next: { points: 0, lines: 0 },
    paused: false,
    refreshes: 0,
  };

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs = {}, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  async function getJson(path) {
    const response = await fetch(path, { cache: "no-store", credentials: "same-origin" });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  // -- formatting ----------------------------------------------------------------------------
  const fmtInt = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"));
  const fmtMs = (n) => (n === null || n === undefined ? "–" : `${Number(n).toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)} ms`);
  const fmtUsd = (n) => `$${Number(n).toFixed(n < 0.01 ? 8 : 4)}`;
  const fmtDuration = (s) => (s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

  function colourOf(fn) {
    if (!state.colours[fn]) {
      const names = Object.keys(state.colours);
      state.colours[fn] = COLOURS[names.length % COLOURS.length];
    }
    return state.colours[fn];
  }

  // -- the cards -----------------------------------------------------------------------------
  // [metric key, label, value from the function's entry, formatter, is it bad when > 0]
  const METRICS = [
    ["invocations", "Invocations", (f) => f.invocations, fmtInt],
    ["cold_starts", "Cold starts", (f) => f.cold_starts, fmtInt],
    ["errors", "Errors", (f) => f.errors, fmtInt, true],
    ["throttles", "Throttles", (f) => f.throttles, fmtInt, true],
    ["capacity_waits", "Capacity waits (host cap)", (f) => f.capacity_waits, fmtInt, true],
    ["env_live", "Environments live", (f) => f.environments.live, fmtInt],
    ["env_busy", "Environments busy", (f) => f.environments.busy, fmtInt],
    ["env_peak", "Environments peak", (f) => f.environments.peak, fmtInt],
    ["warm_p50", "Warm p50", (f) => f.warm_duration_ms?.p50, fmtMs],
    ["warm_p95", "Warm p95", (f) => f.warm_duration_ms?.p95, fmtMs],
    ["warm_p99", "Warm p99", (f) => f.warm_duration_ms?.p99, fmtMs],
    ["cold_p50", "Cold p50 (init + run)", (f) => f.cold_latency_ms?.p50, fmtMs],
    ["cold_p95", "Cold p95", (f) => f.cold_latency_ms?.p95, fmtMs],
    ["cold_p99", "Cold p99", (f) => f.cold_latency_ms?.p99, fmtMs],
    // Shown when the host meters them (CPU time per invocation, the CPU share of MemorySize).
    ["cpu_p50", "CPU time p50", (f) => f.cpu_time_ms?.p50, fmtMs, false, true],
    ["cpu_p95", "CPU time p95", (f) => f.cpu_time_ms?.p95, fmtMs, false, true],
    ["cpu_share", "CPU share (vCPU)", (f) => f.cpu_share, (v, f) => `${Number(v).toFixed(2)}${f.cpu_share_enforced === false ? " (not enforced)" : ""}`, false, true],
    ["cpu_throttled_p95", "CPU throttled p95", (f) => f.cpu_throttled_ms?.p95, fmtMs, true, true],
    ["memory", "Max Memory Used / MemorySize", (f) => f.peak_memory_used_mb, (v, f) => `${fmtInt(v)} / ${fmtInt(f.memory_size_mb)} MB`],
    ["gb_seconds", "GB-seconds", (f) => f.gb_seconds, (v) => Number(v).toFixed(3)],
    ["estimated_cost_usd", "Estimated cost", (f) => f.estimated_cost_usd, fmtUsd],
  ];

  function card(fn) {
    const id = `fn-${fn.replace(/[^A-Za-z0-9_-]/g, "_")}`;
    let section = document.querySelector(`[data-fn-card="${CSS.escape(fn)}"]`);
    if (section) return section;
    section = el("article", { class: "card", "data-fn-card": fn, "aria-labelledby": `${id}-title` });
    section.style.setProperty("--swatch", colourOf(fn));
    section.append(el("h3", { id: `${id}-title` }, fn));
    const dl = el("dl");
    for (const [key, label] of METRICS) {
      dl.append(el("dt", {}, label));
      dl.append(el("dd", { "data-metric": key }, "–"));
    }
    section.append(dl);
    const meter = el("div", { class: "meter", role: "meter", "aria-label": `${fn}: Max Memory Used of MemorySize`, "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0" });
    meter.append(el("span"));
    section.append(meter);
    $("functions").append(section);
    return section;
  }

  function renderCards(doc) {
    for (const [fn, f] of Object.entries(doc.functions)) {
      const section = card(fn);
      for (const [key, , get, format, badWhenPositive, optional] of METRICS) {
        const dd = section.querySelector(`dd[data-metric="${key}"]`);
        const value = get(f);
        const missing = value === undefined;
        dd.hidden = Boolean(optional) && missing;
        dd.previousElementSibling.hidden = dd.hidden;
        dd.dataset.value = value === null || value === undefined ? "" : String(value);
        dd.textContent = missing ? "–" : format(value, f);
        dd.classList.toggle("bad", Boolean(badWhenPositive) && value > 0);
      }
      const used = f.memory_size_mb ? Math.min(100, (100 * f.peak_memory_used_mb) / f.memory_size_mb) : 0;
      const meter = section.querySelector(".meter");
      meter.setAttribute("aria-valuenow", used.toFixed(0));
      meter.firstElementChild.style.width = `${used}%`;
    }
    const host = doc.host;
    $("host-summary").textContent =
      `${host.template} · up ${fmtDuration(host.uptime_s)} · ${host.environments} of ${host.max_environments} environments live · ` +
      `warm containers ${host.warm_containers} · idle timeout ${host.idle_timeout_s} s`;
    // What the host enforces of Lambda's resource model, when it says (e.g. CPU share, freeze).
    const model = Object.entries(host.resources ?? {})
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${k.replaceAll("_", " ")}: ${v === true ? "yes" : v === false ? "no" : v}`);
    $("host-resources").textContent = model.length ? `Resource model — ${model.join(" · ")}` : "";
  }

  function renderLegend() {
    const legend = $("legend");
    legend.replaceChildren();
    for (const fn of Object.keys(state.functions)) {
      const item = el("li", {}, fn);
      item.style.setProperty("--swatch", colourOf(fn));
      legend.append(item);
    }
  }

  // -- the charts ----------------------------------------------------------------------------
  function setupCanvas(canvas) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || canvas.width;
    const height = Math.round((width * 220) / 640);
    if (canvas.width !== Math.round(width * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    return { ctx, width, height };
  }

  const PAD = { left: 48, right: 8, top: 8, bottom: 20 };

  function axes(ctx, width, height, now, yTicks) {
    const style = getComputedStyle(document.body);
    ctx.strokeStyle = style.getPropertyValue("--line") || "#ccc";
    ctx.fillStyle = style.getPropertyValue("--muted") || "#555";
    ctx.font = "11px system-ui, sans-serif";
    ctx.lineWidth = 1;
    for (const [y, label] of yTicks) {
      ctx.beginPath();
      ctx.moveTo(PAD.left, y);
      ctx.lineTo(width - PAD.right, y);
      ctx.stroke();
      ctx.fillText(label, 4, y + 4);
    }
    for (let ago = WINDOW_S; ago >= 0; ago -= 60) {
      const x = xOf(now - ago, now, width);
      ctx.textAlign = ago === 0 ? "right" : "center";
      ctx.fillText(ago === 0 ? "now" : `-${ago / 60}m`, x, height - 5);
      ctx.textAlign = "left";
    }
  }

  const xOf = (t, now, width) => PAD.left + ((t - (now - WINDOW_S)) / WINDOW_S) * (width - PAD.left - PAD.right);

  function drawLatency(now) {
    const { ctx, width, height } = setupCanvas($("chart-latency"));
    const points = state.points.filter((p) => p.t >= now - WINDOW_S && p.ms > 0);
    const max = Math.max(10, ...points.map((p) => p.ms));
    const top = Math.ceil(Math.log10(max));
    const yOf = (ms) => height - PAD.bottom - (Math.log10(Math.max(ms, 0.1)) + 1) / (top + 1) * (height - PAD.top - PAD.bottom);
    const ticks = [];
    for (let e = -1; e <= top; e++) ticks.push([yOf(10 ** e), e < 0 ? "0.1" : fmtInt(10 ** e)]);
    axes(ctx, width, height, now, ticks);
    for (const p of points) {
      ctx.fillStyle = colourOf(p.fn);
      const x = xOf(p.t, now, width);
      const y = yOf(p.ms);
      if (p.cold) {
        ctx.strokeStyle = colourOf(p.fn);
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.arc(x, y, 5, 0, 2 * Math.PI);
        ctx.stroke();
      } else {
        ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
      }
    }
    const cold = points.filter((p) => p.cold).length;
    $("latency-summary").textContent = `${points.length} invocations in the window, ${cold} of them cold starts; slowest ${fmtMs(points.length ? max : null)}.`;
  }

  function drawLines(canvasId, summaryId, series, now, unit) {
    // series: fn -> [[t, value], ...]
    const { ctx, width, height } = setupCanvas($(canvasId));
    let max = 1;
    for (const values of Object.values(series)) for (const [, v] of values) max = Math.max(max, v);
    const yOf = (v) => height - PAD.bottom - (v / max) * (height - PAD.top - PAD.bottom);
    const step = max <= 5 ? 1 : Math.ceil(max / 4);
    const ticks = [];
    for (let v = 0; v <= max; v += step) ticks.push([yOf(v), String(v)]);
    axes(ctx, width, height, now, ticks);
    const latest = [];
    for (const [fn, values] of Object.entries(series)) {
      if (!values.length) continue;
      ctx.strokeStyle = colourOf(fn);
      ctx.lineWidth = 2;
      ctx.beginPath();
      values.forEach(([t, v], i) => (i ? ctx.lineTo(xOf(t, now, width), yOf(v)) : ctx.moveTo(xOf(t, now, width), yOf(v))));
      ctx.stroke();
      latest.push(`${fn} ${values[values.length - 1][1]}`);
    }
    $(summaryId).textContent = latest.length ? `Now: ${latest.join(", ")} ${unit}.` : "No data yet.";
  }

  function drawEnvironments(now) {
    const series = {};
    for (const fn of Object.keys(state.functions)) series[fn] = [];
    for (const sample of state.environments) {
      if (sample.t < now - WINDOW_S) continue;
      for (const [fn, live] of Object.entries(sample.live)) (series[fn] ??= []).push([sample.t, live]);
    }
    drawLines("chart-environments", "environments-summary", series, now, "live");
  }

  function drawRequests(now) {
    const start = Math.floor(now - WINDOW_S);
    const counts = {};
    for (const fn of Object.keys(state.functions)) counts[fn] = new Map();
    for (const p of state.points) {
      if (p.t < start) continue;
      const second = Math.floor(p.t);
      const perFn = (counts[p.fn] ??= new Map());
      perFn.set(second, (perFn.get(second) ?? 0) + 1);
    }
    const series = {};
    const last = Math.floor(now) - 1; // the current second is still filling
    for (const [fn, perSecond] of Object.entries(counts)) {
      series[fn] = [];
      for (let s = start; s <= last; s++) series[fn].push([s + 0.5, perSecond.get(s) ?? 0]);
    }
    drawLines("chart-rps", "rps-summary", series, now, "requests/s");
  }

  function renderLines() {
    const pre = $("lines");
    // follow the newest line unless the reader scrolled up to read an older one
    const following = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.textContent = state.lines.map((l) => `[${l.fn}] ${l.text}`).join("\n");
    if (following) pre.scrollTop = pre.scrollHeight;
  }

  // -- polling -------------------------------------------------------------------------------
  async function refresh() {
    const [doc, recent] = await Promise.all([
      getJson("/_host/functions"),
      getJson(`/_host/recent?points=${state.next.points}&lines=${state.next.lines}`),
    ]);
    const known = Object.keys(state.functions).join();
    state.functions = doc.functions;
    if (Object.keys(doc.functions).join() !== known) renderLegend();
    const now = recent.now;
    state.points.push(...recent.points);
    state.points = state.points.filter((p) => p.t >= now - WINDOW_S);
    const live = {};
    for (const [fn, f] of Object.entries(doc.functions)) live[fn] = f.environments.live;
    state.environments.push({ t: now, live });
    state.environments = state.environments.filter((s) => s.t >= now - WINDOW_S);
    state.lines = [...state.lines, ...recent.lines].slice(-60);
    state.next = recent.next;
    renderCards(doc);
    drawLatency(now);
    drawEnvironments(now);
    drawRequests(now);
    renderLines();
    state.refreshes += 1;
    document.body.dataset.refreshes = String(state.refreshes);
  }

  async function loop() {
    if (!state.paused) {
      try {
        await refresh();
        if ($("status").dataset.kind === "error") setStatus("");
      } catch (error) {
        setStatus(`Cannot reach the host: ${error.message}`, "error");
      }
    }
    setTimeout(loop, POLL_MS);
  }

  function setStatus(text, kind = "info") {
    $("status").textContent = text;
    $("status").dataset.kind = kind;
  }

  // -- controls ------------------------------------------------------------------------------
  async function reset(event) {
    event.preventDefault();
    const metrics = $("reset-metrics").checked;
    // The control API's state changes need this header: a cross-site page cannot send it.
    const response = await fetch("/_host/reset", {
      method: "POST",
      headers: { "X-Devhost-Control": "1", "Content-Type": "application/json" },
      body: JSON.stringify({ metrics }),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      setStatus(`Reset refused: ${answer.message ?? response.status}`, "error");
      return;
    }
    if (metrics) {
      state.points = [];
      state.environments = [];
    }
    setStatus(`Reset: ended ${answer.ended} idle environment(s)${metrics ? "; meters zeroed" : ""}. The next requests are cold starts.`);
    await refresh().catch(() => {});
  }

  function togglePause() {
    state.paused = !state.paused;
    $("pause").setAttribute("aria-pressed", String(state.paused));
    $("pause").textContent = state.paused ? "Resume updates" : "Pause updates";
    setStatus(state.paused ? "Updates paused." : "Updates resumed.");
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("window-minutes").textContent = String(WINDOW_S / 60);
    $("reset-form").addEventListener("submit", reset);
    $("pause").addEventListener("click", togglePause);
    loop();
  });
})();
