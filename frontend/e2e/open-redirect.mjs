/**
 * The login page's `next` never takes the browser off the site (issue 11, finding 5): each way of
 * smuggling another origin into `next` (tab, newline, backslash, `//`, schemes, double encoding)
 * lands on the app after logging in; an in-app `next` is still honoured.
 */
import { BASE_URL, assert, log, openSession, registerUser } from "./lib.mjs";

export const name = "open-redirect";

const EVIL = "evil.example";

/** `next` exactly as it appears in the query string (already percent-encoded where needed). */
const ATTACKS = {
  "tab inside the slashes": "%2F%09%2Fevil.example%2F",
  "newline inside the slashes": "%2F%0A%2Fevil.example%2F",
  "carriage return inside the slashes": "%2F%0D%2Fevil.example%2F",
  "backslash for a slash": "%2F%5Cevil.example%2F",
  "two backslashes": "%5C%5Cevil.example%2F",
  "protocol-relative": "%2F%2Fevil.example%2F",
  "protocol-relative, raw": "//evil.example/",
  "an absolute URL": "https%3A%2F%2Fevil.example%2F",
  "a javascript: URL": "javascript%3Awindow.__pwned%3D1",
  "a data: URL": "data%3Atext%2Fhtml%2C%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E",
  "double-encoded slashes": "%252F%252Fevil.example%252F",
  "double-encoded tab": "%2F%2509%2Fevil.example%2F",
  "a leading space": "%20%2F%2Fevil.example%2F",
};

async function logInWithNext(page, student, next) {
  await page.evaluate(() => window.localStorage.clear());
  await page.goto(`/login/?next=${next}`);
  await page.getByLabel("Email", { exact: true }).fill(student.email);
  await page.getByLabel("Password", { exact: true }).fill(student.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((u) => !(u.origin === BASE_URL && u.pathname.startsWith("/login")));
  await page.waitForLoadState();
}

export async function run() {
  const student = await registerUser("student", "student-redirect");
  const s = await openSession({ name });
  const { page, context } = s;
  const offSite = [];
  // Any request to the attacker's host is recorded and answered locally (nothing leaves the machine).
  await context.route(`**://${EVIL}/**`, (route) => {
    offSite.push(route.request().url());
    return route.fulfill({ status: 200, contentType: "text/html", body: "<h1>evil</h1>" });
  });
  try {
    await page.goto("/");
    for (const [label, next] of Object.entries(ATTACKS)) {
      await logInWithNext(page, student, next);
      const landed = new URL(page.url());
      assert(landed.origin === BASE_URL, `${label}: left the site for ${page.url()}`);
      assert(!landed.pathname.startsWith("/login"), `${label}: still on the login page`);
      const pwned = await page.evaluate(() => Boolean(window.__pwned));
      assert(!pwned, `${label}: ran script from next`);
      log(`  ${label}: stayed on ${landed.pathname}`);
    }
    assert(offSite.length === 0, `requests went to ${EVIL}: ${offSite.join(", ")}`);

    // An in-app next still brings the user back where they were
    await logInWithNext(page, student, "%2Fnotifications%2F");
    assert(new URL(page.url()).pathname === "/notifications/", `in-app next ignored: ${page.url()}`);
  } finally {
    await s.close();
  }
}
