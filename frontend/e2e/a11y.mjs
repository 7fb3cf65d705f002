/**
 * axe-core in Chromium over every page and state of the app, for each role, at a desktop
 * (1280×800) and a phone (390×844) size (issue 16). Fails on any serious or critical
 * violation; prints one line per scan and the totals by impact (A11Y_REPORT_ONLY=1 prints
 * without failing, to measure a baseline).
 */
import { createRequire } from "node:module";
import { PASSWORD, api, assert, log, login, openSession, publishedCourse, registerUser, verifiedTeacher, adminToken, requireEnv } from "./lib.mjs";

export const name = "a11y";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const SIZES = [
  { label: "desktop", width: 1280, height: 800 },
  { label: "phone", width: 390, height: 844 },
];
const BLOCKING = new Set(["serious", "critical"]);

/** The API answering 503 for the routes `matches` picks (a load-error state of a page). */
function failing(matches) {
  return async (page) => {
    await page.route(
      (u) => u.pathname.startsWith("/api/") && matches(u),
      (route) =>
        route.fulfill({
          status: 503,
          contentType: "application/json",
          body: JSON.stringify({ error: { code: "database_unavailable", message: "The service is unavailable.", details: [] } }),
        }),
    );
  };
}

async function scan(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, target: v.nodes[0]?.target?.join(" ") }));
  });
}

/** Until the page shows its content: no "Loading…" left (a scan of a spinner proves nothing). */
async function settle(page) {
  await page.waitForFunction(() => !/Loading[^\n]*…|Checking your session…|Searching…/.test(document.body.innerText), null, { timeout: 15_000 }).catch(() => {});
}

export async function run() {
  log("setup: a verified teacher's courses, a student enrolled in one, an admin, a pending teacher");
  const teacher = await verifiedTeacher("teacher-a11y");
  const paid = await publishedCourse(teacher, { title: "A11y Paid Course", price_cents: 2500, lessons: 2 });
  const free = await publishedCourse(teacher, { title: "A11y Free Course", price_cents: 0, lessons: 2 });
  await registerUser("teacher", "teacher-pending");
  const student = await registerUser("student", "student-a11y");
  const studentToken = await login(student.email, student.password);
  const offer = (await api("GET", `/courses/${free.id}`, { token: studentToken })).offer;
  await api("POST", "/enrollments", { token: studentToken, body: { course_id: free.id, offer } });
  await api("POST", "/progress", { token: studentToken, body: { course_id: free.id, lesson_id: free.lessons[0].id } });
  await api("POST", "/notifications", { token: studentToken, body: { type: "enrollment", title: "Enrolled in A11y Free Course", body: "Welcome." } });
  await adminToken();

  const learn = `/learn/?course=${free.id}&lesson=${free.lessons[0].id}`;
  const roles = {
    anonymous: {
      account: null,
      pages: [
        ["catalog", "/"],
        ["catalog search", "/?q=A11y&level=beginner"],
        ["course", `/courses/view/?id=${paid.id}`],
        ["login", "/login/"],
        ["register", "/register/"],
        ["checkout logged out", `/checkout/?course=${paid.id}`],
        ["lesson logged out", learn],
        ["my learning logged out", "/learning/"],
        ["not found", "/no-such-page/"],
        ["catalog API down", "/", failing((u) => u.pathname === "/api/courses")],
        ["course API down", `/courses/view/?id=${paid.id}`, failing((u) => u.pathname.startsWith("/api/courses/"))],
      ],
    },
    student: {
      account: [student.email, PASSWORD],
      pages: [
        ["catalog", "/"],
        ["course enrolled", `/courses/view/?id=${free.id}`],
        ["course to buy", `/courses/view/?id=${paid.id}`],
        ["checkout", `/checkout/?course=${paid.id}`],
        ["my learning", "/learning/"],
        ["my learning course API down", "/learning/", failing((u) => u.pathname === "/api/courses")],
        ["lesson", learn],
        ["notifications", "/notifications/"],
        ["wrong role", "/teacher/"],
      ],
    },
    teacher: {
      account: [teacher.email, teacher.password],
      pages: [
        ["dashboard", "/teacher/"],
        ["course editor", `/teacher/course/?id=${paid.id}`],
        ["new course", "/teacher/course/"],
        ["course", `/courses/view/?id=${paid.id}`],
      ],
    },
    admin: {
      account: [requireEnv("E2E_ADMIN_EMAIL"), requireEnv("E2E_ADMIN_PASSWORD")],
      pages: [
        ["pending teachers", "/admin/"],
        ["catalog", "/"],
      ],
    },
  };

  const totals = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  const nodes = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  const blocking = [];
  for (const [role, { account, pages }] of Object.entries(roles)) {
    // One browser session per role (one login); each size is the same session resized.
    const s = await openSession({ name: `${name}-${role}`, width: SIZES[0].width, height: SIZES[0].height });
    const { page } = s;
    try {
      if (account) {
        await page.goto("/login/");
        await page.getByLabel("Email", { exact: true }).fill(account[0]);
        await page.getByLabel("Password", { exact: true }).fill(account[1]);
        await page.getByRole("button", { name: "Log in" }).click();
        await page.waitForURL((u) => !u.pathname.startsWith("/login"));
      }
      for (const size of SIZES) {
        await page.setViewportSize({ width: size.width, height: size.height });
        for (const [label, path, prepare] of pages) {
          if (prepare) await prepare(page);
          await page.goto(path);
          await settle(page);
          const violations = await scan(page);
          if (prepare) await page.unrouteAll({ behavior: "ignoreErrors" });
          for (const v of violations) {
            totals[v.impact] = (totals[v.impact] ?? 0) + 1;
            nodes[v.impact] = (nodes[v.impact] ?? 0) + v.nodes;
          }
          const summary = violations.map((v) => `${v.impact}:${v.id}×${v.nodes}`).join(" ") || "clean";
          log(`  ${role} ${size.label} ${label}: ${summary}`);
          for (const v of violations.filter((x) => BLOCKING.has(x.impact))) {
            blocking.push(`${role} ${size.label} ${label}: ${v.impact} ${v.id} (${v.nodes} nodes, e.g. ${v.target})`);
          }
        }
      }
    } finally {
      await s.close();
    }
  }
  log(`axe totals over ${Object.values(roles).reduce((n, r) => n + r.pages.length, 0) * SIZES.length} scans: violations ${JSON.stringify(totals)}, elements ${JSON.stringify(nodes)}`);
  if (process.env.A11Y_REPORT_ONLY === "1") return;
  assert(blocking.length === 0, `serious or critical violations:\n${blocking.join("\n")}`);
}
