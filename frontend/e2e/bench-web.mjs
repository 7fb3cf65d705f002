#!/usr/bin/env node
/**
 * `make bench-web`: what a phone on a slow network sees of the catalog, a course and a lesson.
 * Chromium with CDP throttling (Lighthouse's "slow 4G": 150 ms RTT, 1.6 Mbps down, 750 kbps up;
 * CPU 4× slower), a 390×844 viewport, a cold cache each load. Prints, per page, the median of
 * RUNS loads: LCP, CLS, the bytes of JavaScript transferred (as sent: compressed when the
 * host compresses) and the time to the first paint of real content.
 *
 * Needs a running app (`make up`): BASE_URL [http://127.0.0.1:3000], a student who is enrolled
 * (E2E_STUDENT_EMAIL / E2E_STUDENT_PASSWORD, default the demo student), RUNS [3].
 */
import { BASE_URL, api, log, login, openSession } from "./lib.mjs";

const RUNS = Number(process.env.RUNS ?? 3);
const STUDENT = [process.env.E2E_STUDENT_EMAIL ?? "student@eduplatform.dev", process.env.E2E_STUDENT_PASSWORD ?? "edu-demo-2026"];
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

const OBSERVE = () => {
  window.__lcp = 0;
  window.__cls = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__lcp = e.startTime;
  }).observe({ type: "largest-contentful-paint", buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
  }).observe({ type: "layout-shift", buffered: true });
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(session, path, ready) {
  const { page, context } = session;
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", SLOW_4G);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  const scripts = new Map();
  cdp.on("Network.responseReceived", (e) => {
    if (e.type === "Script") scripts.set(e.requestId, 0);
  });
  cdp.on("Network.loadingFinished", (e) => {
    if (scripts.has(e.requestId)) scripts.set(e.requestId, e.encodedDataLength);
  });
  const started = Date.now();
  await page.goto(path, { waitUntil: "load" });
  await ready(page);
  const contentMs = Date.now() - started;
  await page.waitForTimeout(1500); // late shifts count too
  const { lcp, cls } = await page.evaluate(() => ({ lcp: window.__lcp, cls: window.__cls }));
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  await cdp.detach();
  const jsBytes = [...scripts.values()].reduce((a, b) => a + b, 0);
  return { lcp, cls, jsBytes, contentMs };
}

const token = await login(...STUDENT);
const enrolled = (await api("GET", "/enrollments/me?limit=1", { token })).items[0];
const catalog = (await api("GET", "/courses?limit=1")).items[0];
const courseId = enrolled?.course_id ?? catalog.id;
const curriculum = await api("GET", `/courses/${courseId}/curriculum`, { token });
const lessonId = curriculum.modules.flatMap((m) => m.lessons)[0]?.id;

const pages = [
  ["catalog", "/", (p) => p.getByTestId("course-list").waitFor()],
  ["course", `/courses/view/?id=${courseId}`, (p) => p.getByRole("heading", { level: 1 }).waitFor()],
  ["lesson", `/learn/?course=${courseId}&lesson=${lessonId}`, (p) => p.locator("#lesson-title").waitFor()],
];

log(`bench-web: ${BASE_URL}, slow 4G + 4x CPU, 390x844, median of ${RUNS} cold loads`);
console.log("page       LCP ms   CLS     JS KB   content ms");
for (const [label, path, ready] of pages) {
  const results = [];
  for (let i = 0; i < RUNS; i++) {
    const session = await openSession({ name: "bench-web", width: 390, height: 844 });
    try {
      await session.page.addInitScript(OBSERVE);
      if (label === "lesson") {
        await session.page.goto("/");
        await session.page.evaluate(
          ([key, value]) => window.localStorage.setItem(key, value),
          ["edu.tokens", JSON.stringify(await api("POST", "/auth/login", { body: { email: STUDENT[0], password: STUDENT[1] } }))],
        );
      }
      results.push(await measure(session, path, ready));
    } finally {
      await session.close();
    }
  }
  const m = (k) => median(results.map((r) => r[k]));
  console.log(
    `${label.padEnd(10)} ${String(Math.round(m("lcp"))).padStart(6)}   ${m("cls").toFixed(3)}  ${(m("jsBytes") / 1024).toFixed(1).padStart(6)}   ${String(m("contentMs")).padStart(6)}`,
  );
}
