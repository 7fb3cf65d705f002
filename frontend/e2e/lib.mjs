/**
 * Shared helpers for the end-to-end journeys and the screenshot script.
 *
 * Environment:
 *   BASE_URL             where the app (and /api on the same origin) is served   [http://127.0.0.1:3000]
 *   API_URL              the API root, if not BASE_URL/api                         [${BASE_URL}/api]
 *   E2E_ADMIN_EMAIL      an admin account (the seed prints one)                   (required by the journeys)
 *   E2E_ADMIN_PASSWORD
 *   CHROMIUM_PATH        Debian's chromium                                        [/usr/bin/chromium]
 *   E2E_ARTIFACTS        folder for step screenshots of the journeys              [../artifacts/e2e]
 *   E2E_TIMEOUT_MS       default wait for any one UI expectation                  [30000]
 *   E2E_HEADFUL=1        show the browser (needs a display)
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

export const BASE_URL = (process.env.BASE_URL ?? "http://127.0.0.1:3000").replace(/\/$/, "");
export const API_URL = (process.env.API_URL ?? `${BASE_URL}/api`).replace(/\/$/, "");
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS ?? 30_000);
export const ARTIFACTS = resolve(process.env.E2E_ARTIFACTS ?? "../artifacts/e2e");
export const PASSWORD = "E2e-passw0rd!";
export const GOOD_CARD = "4242424242424242";
export const DECLINED_CARD = "4000000000000002";

export const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export function requireEnv(name) {
  const v = process.env[name];
  if (!v) throw new Error(`Set ${name} (see e2e/README.md).`);
  return v;
}

export function log(...args) {
  console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);
}

export function assert(cond, message) {
  if (!cond) throw new Error(`Assertion failed: ${message}`);
}

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/**
 * One browser session with its own fresh profile (so its own localStorage).
 * Returns { context, page, close }.
 */
export async function openSession({ width = 1280, height = 900, name = "session" } = {}) {
  const profile = mkdtempSync(join(tmpdir(), `edu-e2e-${name}-`));
  const headful = process.env.E2E_HEADFUL === "1";
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: !headful,
    args: headful ? CHROMIUM_ARGS.filter((a) => a !== "--headless") : CHROMIUM_ARGS,
    viewport: { width, height },
    baseURL: BASE_URL,
    locale: "en-US",
    timezoneId: "UTC",
  });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT * 2);
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors = [];
  page.on("pageerror", (err) => consoleErrors.push(String(err)));
  return {
    context,
    page,
    consoleErrors,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

let shotCounter = 0;
export async function snap(page, journey, label) {
  const dir = join(ARTIFACTS, journey);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${String(++shotCounter).padStart(2, "0")}-${label}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch((e) => log("screenshot failed:", e.message));
  return file;
}

/** Minimal API client for setting up data (JSON in, JSON out, throws on non-2xx). */
export async function api(method, path, { token, body, headers = {} } = {}) {
  const res = await fetch(`${API_URL}${path}`, {
    method,
    headers: {
      Accept: "application/json",
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!res.ok) {
    const err = new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 300)}`);
    err.status = res.status;
    err.body = data;
    throw err;
  }
  return data;
}

export const items = (x) => (Array.isArray(x) ? x : (x?.items ?? []));

export async function login(email, password) {
  const t = await api("POST", "/auth/login", { body: { email, password } });
  return t.access_token;
}

export async function registerUser(role, label = role) {
  const email = `${label}.${runId}.${Math.random().toString(36).slice(2, 6)}@example.com`;
  const full_name = `E2E ${label[0].toUpperCase()}${label.slice(1)} ${runId}`;
  const user = await api("POST", "/auth/register", { body: { email, password: PASSWORD, full_name, role } });
  return { ...user, email, full_name, password: PASSWORD };
}

export async function adminToken() {
  return login(requireEnv("E2E_ADMIN_EMAIL"), requireEnv("E2E_ADMIN_PASSWORD"));
}

/** A verified teacher (via the admin API) and their fresh access token. */
export async function verifiedTeacher(label = "teacher") {
  const teacher = await registerUser("teacher", label);
  const admin = await adminToken();
  await api("POST", `/admin/teachers/${teacher.id}/verify`, { token: admin });
  const token = await login(teacher.email, teacher.password); // new claims: is_verified
  return { ...teacher, token };
}

/** A published course with one module and `lessons` lessons, owned by `teacher`. */
export async function publishedCourse(teacher, { title, price_cents, lessons = 2 }) {
  const course = await api("POST", "/courses", {
    token: teacher.token,
    body: {
      title,
      description: `An end-to-end test course (${runId}). Learn the basics step by step, with practice after every lesson.`,
      category: "Programming",
      level: "beginner",
      price_cents,
      currency: "USD",
      is_published: true,
    },
  });
  if (!course.is_published) {
    await api("PATCH", `/courses/${course.id}`, { token: teacher.token, body: { is_published: true } });
  }
  const mod = await api("POST", `/courses/${course.id}/modules`, { token: teacher.token, body: { title: "Getting started" } });
  const created = [];
  for (let i = 1; i <= lessons; i++) {
    created.push(
      await api("POST", `/modules/${mod.id}/lessons`, {
        token: teacher.token,
        body: {
          title: `Lesson ${i}: step ${i}`,
          content: `This is lesson ${i}.\n\nRead it, then mark it complete.`,
          duration_minutes: 5 * i,
        },
      }),
    );
  }
  return { ...course, module: mod, lessons: created };
}

/** Logs in through the UI. */
export async function uiLogin(page, email, password) {
  await page.goto("/login/");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
  await page.getByRole("button", { name: "Log out" }).first().waitFor({ state: "attached" });
}

/** Waits until `fn` returns a truthy value (polling), or throws after `ms`. */
export async function eventually(fn, message, ms = TIMEOUT, every = 500) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`Timed out: ${message}${last ? ` (${last.message})` : ""}`);
}
