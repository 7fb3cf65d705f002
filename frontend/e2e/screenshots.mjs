#!/usr/bin/env node
/**
 * Writes PNGs of the main pages: catalog, course page, lesson viewer, teacher dashboard, admin
 * page, the local host's dashboard (/_host/) (desktop, plus phone-width variants of the student pages).
 *
 *   SCREENSHOTS_DIR   output folder                                         [../screenshots]
 *   BASE_URL / API_URL                                                      (see lib.mjs)
 *   E2E_ADMIN_EMAIL / E2E_ADMIN_PASSWORD   with these, fresh demo data is created through the API
 *   E2E_STUDENT_EMAIL / E2E_STUDENT_PASSWORD, E2E_TEACHER_EMAIL / E2E_TEACHER_PASSWORD
 *                     optional: use these demo accounts instead of fresh ones
 * Without an API it still captures every page (showing their error/empty states).
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { GOOD_CARD, api, items, log, openSession, publishedCourse, registerUser, verifiedTeacher } from "./lib.mjs";

const OUT = resolve(process.env.SCREENSHOTS_DIR ?? "../screenshots");
mkdirSync(OUT, { recursive: true });

async function tokensFor(email, password) {
  return api("POST", "/auth/login", { body: { email, password } });
}

async function tryStep(label, fn) {
  try {
    return await fn();
  } catch (err) {
    log(`(skipped ${label}: ${err.message})`);
    return undefined;
  }
}

/** Demo data: a course with lessons, a student enrolled in it with one lesson done, a teacher, an admin. */
async function prepare() {
  const env = process.env;
  const ctx = { courseId: null, student: null, teacher: null, admin: null };
  const apiUp = await tryStep("API check", async () => {
    await api("GET", "/courses?limit=1");
    return true;
  });
  if (!apiUp) return ctx;

  if (env.E2E_ADMIN_EMAIL && env.E2E_ADMIN_PASSWORD) {
    ctx.admin = await tryStep("admin login", () => tokensFor(env.E2E_ADMIN_EMAIL, env.E2E_ADMIN_PASSWORD));
  }
  if (env.E2E_TEACHER_EMAIL && env.E2E_TEACHER_PASSWORD) {
    ctx.teacher = await tryStep("teacher login", () => tokensFor(env.E2E_TEACHER_EMAIL, env.E2E_TEACHER_PASSWORD));
  } else if (ctx.admin) {
    const t = await tryStep("teacher setup", () => verifiedTeacher("shots-teacher"));
    if (t) {
      ctx.teacher = await tokensFor(t.email, t.password);
      const course = await tryStep("course setup", () =>
        publishedCourse({ ...t, token: ctx.teacher.access_token }, { title: "Practical Python for Data Analysis", price_cents: 2900, lessons: 3 }),
      );
      if (course) ctx.courseId = course.id;
      await tryStep("draft course", () =>
        api("POST", "/courses", {
          token: ctx.teacher.access_token,
          body: { title: "Design Systems in Practice (draft)", description: "Work in progress.", category: "Design", level: "advanced", price_cents: 0, currency: "USD", is_published: false },
        }),
      );
    }
    // A pending teacher so the admin page has something to verify.
    await tryStep("pending teacher", () => registerUser("teacher", "shots-pending"));
  }

  if (env.E2E_STUDENT_EMAIL && env.E2E_STUDENT_PASSWORD) {
    ctx.student = await tryStep("student login", () => tokensFor(env.E2E_STUDENT_EMAIL, env.E2E_STUDENT_PASSWORD));
    const mine = ctx.student && (await tryStep("enrollments", () => api("GET", "/enrollments/me", { token: ctx.student.access_token })));
    const first = items(mine)[0];
    if (first && !ctx.courseId) ctx.courseId = first.course_id;
  } else {
    const s = await tryStep("student setup", () => registerUser("student", "shots-student"));
    if (s) ctx.student = await tokensFor(s.email, s.password);
  }

  if (!ctx.courseId) {
    const list = await tryStep("catalog", () => api("GET", "/courses?limit=1&sort=popular"));
    ctx.courseId = items(list)[0]?.id ?? null;
  }

  // Enroll the student (pay if needed), complete the first lesson, leave a review.
  if (ctx.student && ctx.courseId) {
    const token = ctx.student.access_token;
    await tryStep("enroll", async () => {
      const detail = await api("GET", `/courses/${ctx.courseId}`, { token });
      let body = { course_id: ctx.courseId, offer: detail.offer };
      if (detail.price_cents > 0) {
        const paid = await api("POST", "/payments", {
          token,
          body: { offer: detail.offer, card_number: GOOD_CARD },
          headers: { "Idempotency-Key": `shots-${Date.now()}` },
        });
        body = { course_id: ctx.courseId, receipt: paid.receipt };
      }
      await api("POST", "/enrollments", { token, body }).catch((e) => {
        if (e.status !== 409) throw e;
      });
      await api("POST", "/notifications", {
        token,
        body: { type: "enrollment", title: `You're enrolled in ${detail.title}`, body: "Happy learning!" },
      });
    });
    await tryStep("progress", async () => {
      const cur = await api("GET", `/courses/${ctx.courseId}/curriculum`, { token });
      const lesson = cur.modules?.[0]?.lessons?.[0];
      if (lesson) await api("POST", "/progress", { token, body: { course_id: ctx.courseId, lesson_id: lesson.id } });
    });
    await tryStep("review", () =>
      api("POST", `/courses/${ctx.courseId}/reviews`, {
        token,
        body: { rating: 5, comment: "Clear explanations and good exercises. The pacing is just right." },
      }),
    );
  }
  return ctx;
}

async function shoot(session, tokens, path, file, waitFor) {
  const { page } = session;
  await page.goto("/");
  await page.evaluate((t) => {
    if (t) localStorage.setItem("edu.tokens", JSON.stringify(t));
    else localStorage.removeItem("edu.tokens");
  }, tokens ?? null);
  await page.goto(path);
  await page.waitForLoadState("networkidle").catch(() => {});
  if (waitFor) {
    const locator = waitFor
      .split("|")
      .map((sel) => page.locator(sel.trim()))
      .reduce((a, b) => a.or(b));
    await locator.first().waitFor({ timeout: 15_000 }).catch(() => {});
  }
  await page.waitForTimeout(400);
  const target = join(OUT, file);
  await page.screenshot({ path: target, fullPage: true });
  log("wrote", target);
}

const ctx = await prepare();
const courseQ = ctx.courseId ? `?id=${ctx.courseId}` : "?id=00000000-0000-0000-0000-000000000000";
const learnQ = ctx.courseId ? `?course=${ctx.courseId}` : "?course=00000000-0000-0000-0000-000000000000";

const desktop = await openSession({ name: "shots", width: 1280, height: 900 });
const phone = await openSession({ name: "shots-phone", width: 390, height: 844 });
try {
  await shoot(desktop, ctx.student, "/", "catalog.png", "[data-testid=course-list] | [role=alert] | text=No courses match");
  await shoot(desktop, ctx.student, `/courses/view/${courseQ}`, "course-page.png", "[data-testid=review-list] | [role=alert]");
  await shoot(desktop, ctx.student, `/learn/${learnQ}`, "lesson-viewer.png", "#lesson-title | [role=alert]");
  await shoot(desktop, ctx.teacher, "/teacher/", "teacher-dashboard.png", "[data-testid=teacher-courses] | [role=alert] | text=No courses yet");
  await shoot(desktop, ctx.admin, "/admin/", "admin.png", "[data-testid=teacher-list] | [role=alert] | text=No teachers are waiting");
  // The local host's own dashboard (meters of every function, after the traffic above).
  await shoot(desktop, null, "/_host/", "host-dashboard.png", "[data-fn-card]");
  await shoot(phone, ctx.student, "/", "catalog-phone.png", "[data-testid=course-list] | [role=alert]");
  await shoot(phone, ctx.student, `/courses/view/${courseQ}`, "course-page-phone.png", "[data-testid=review-list] | [role=alert]");
  await shoot(phone, ctx.student, `/learn/${learnQ}`, "lesson-viewer-phone.png", "#lesson-title | [role=alert]");
} finally {
  await desktop.close();
  await phone.close();
}
