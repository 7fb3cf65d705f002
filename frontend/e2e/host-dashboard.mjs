#!/usr/bin/env node
/**
 * The local host's dashboard (/_host/) in Chromium while traffic runs: drives requests at
 * DASHBOARD_TRAFFIC_PATH, takes a screenshot mid-traffic, then (traffic stopped) reads every
 * card's numbers from the page and /_host/functions from the host at the same moment, resets
 * the environments with the keyboard only, and prints one JSON document for the caller to
 * check (tests/e2e/test_host_dashboard.py).
 *
 *   BASE_URL                  the host                                         [http://127.0.0.1:3000]
 *   DASHBOARD_TRAFFIC_PATH    a GET path served by a function                  [/echo]
 *   DASHBOARD_TRAFFIC_S       how long traffic runs                            [4]
 *   DASHBOARD_SCREENSHOT      where the mid-traffic screenshot goes            [../artifacts/e2e/host-dashboard.png]
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { BASE_URL, openSession } from "./lib.mjs";

const TRAFFIC_PATH = process.env.DASHBOARD_TRAFFIC_PATH ?? "/echo";
const TRAFFIC_S = Number(process.env.DASHBOARD_TRAFFIC_S ?? 4);
const SCREENSHOT = resolve(process.env.DASHBOARD_SCREENSHOT ?? "../artifacts/e2e/host-dashboard.png");

// At least `seconds` long and `atLeast` requests (a busy machine's cold starts can take
// seconds), at most a minute.
async function traffic(seconds, atLeast = 40, parallel = 4) {
  const until = Date.now() + seconds * 1000;
  const deadline = Date.now() + 60_000;
  let sent = 0;
  const worker = async () => {
    while ((Date.now() < until || sent < atLeast) && Date.now() < deadline) {
      const response = await fetch(`${BASE_URL}${TRAFFIC_PATH}`);
      await response.arrayBuffer();
      sent += 1;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return sent;
}

const refreshes = (page) => page.evaluate(() => Number(document.body.dataset.refreshes ?? 0));

async function nextRefresh(page, count = 1) {
  const seen = await refreshes(page);
  await page.waitForFunction((n) => Number(document.body.dataset.refreshes ?? 0) >= n, seen + count);
}

function cardsOf(page) {
  return page.evaluate(() => {
    const cards = {};
    for (const card of document.querySelectorAll("[data-fn-card]")) {
      const values = {};
      for (const dd of card.querySelectorAll("dd[data-metric]")) values[dd.dataset.metric] = dd.dataset.value;
      cards[card.dataset.fnCard] = values;
    }
    return cards;
  });
}

const session = await openSession({ name: "host-dashboard", width: 1280, height: 1000 });
const result = {};
try {
  const { page } = session;
  await page.goto("/_host/");
  await page.locator("[data-fn-card]").first().waitFor();

  // During traffic: the page keeps refreshing, and a screenshot shows it busy.
  const running = traffic(TRAFFIC_S);
  await page.waitForTimeout((TRAFFIC_S * 1000) / 2);
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  result.sent = await running;

  // Traffic stopped: the page's next refresh and the host's document must agree.
  await nextRefresh(page, 2);
  result.cards = await cardsOf(page);
  result.functions = await (await fetch(`${BASE_URL}/_host/functions`)).json();
  result.latency_summary = await page.locator("#latency-summary").textContent();
  result.lines = await page.locator("#lines").textContent();
  result.canvases_labelled = await page.evaluate(() =>
    [...document.querySelectorAll("canvas")].every((c) => c.getAttribute("role") === "img" && document.getElementById(c.getAttribute("aria-labelledby"))),
  );

  // The keyboard alone reaches the reset button (skip link, pause, checkbox, reset).
  await page.locator("body").focus();
  for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.id)) !== "reset"; i++) {
    await page.keyboard.press("Tab");
  }
  result.reset_focused = (await page.evaluate(() => document.activeElement?.id)) === "reset";
  await page.keyboard.press("Enter");
  await page.getByRole("status").filter({ hasText: "Reset:" }).waitFor();
  result.reset_status = await page.getByRole("status").textContent();
  await page.waitForFunction(() => [...document.querySelectorAll('dd[data-metric="env_live"]')].every((dd) => dd.dataset.value === "0"));
  result.live_after_reset = Object.fromEntries(Object.entries(await cardsOf(page)).map(([fn, v]) => [fn, v.env_live]));
  result.page_errors = session.consoleErrors;
} finally {
  await session.close();
}
console.log(JSON.stringify(result));
