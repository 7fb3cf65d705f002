#!/usr/bin/env node
/**
 * Runs the end-to-end journeys in a real browser against a running app + API.
 *   npm run e2e                      # the product journeys (student, teacher, payment-retry, session, focus)
 *   npm run e2e -- open-redirect     # the login page's next never leaves the site
 *   npm run e2e -- student teacher   # some
 * Prints "N passed, N failed" and exits non-zero on any failure.
 */
import { API_URL, ARTIFACTS, BASE_URL, log } from "./lib.mjs";
import * as a11y from "./a11y.mjs";
import * as focus from "./focus.mjs";
import * as openRedirect from "./open-redirect.mjs";
import * as paymentRetry from "./payment-retry.mjs";
import * as session from "./session.mjs";
import * as student from "./student.mjs";
import * as teacher from "./teacher.mjs";

const all = [student, teacher, paymentRetry, session, focus, openRedirect, a11y];
// The product journeys run by default; the attack checks and the axe scans only when named.
const defaults = [student, teacher, paymentRetry, session, focus];
const wanted = process.argv.slice(2);
const journeys = wanted.length ? all.filter((j) => wanted.includes(j.name)) : defaults;
if (!journeys.length) {
  console.error(`Unknown journey; choose from: ${all.map((j) => j.name).join(", ")}`);
  process.exit(2);
}

async function waitForApi() {
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    try {
      const res = await fetch(`${API_URL}/courses?limit=1`);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`The API at ${API_URL} did not answer GET /courses within 60 s.`);
}

log(`BASE_URL=${BASE_URL} API_URL=${API_URL} artifacts=${ARTIFACTS}`);
let passed = 0;
let failed = 0;
try {
  await waitForApi();
} catch (err) {
  console.error(err.message);
  console.log(`e2e: 0 passed, ${journeys.length} failed`);
  process.exit(1);
}
for (const j of journeys) {
  const started = Date.now();
  log(`▶ ${j.name}`);
  try {
    await j.run();
    passed++;
    log(`✔ ${j.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    failed++;
    log(`✘ ${j.name}: ${err?.stack ?? err}`);
  }
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
