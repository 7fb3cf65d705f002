/**
 * Teacher journey: register → blocked until verified → admin verifies → create a course with a
 * module and lessons (and reorder them) → publish → visible in the catalog.
 */
import { PASSWORD, assert, eventually, log, openSession, requireEnv, runId, snap, uiLogin } from "./lib.mjs";

export const name = "teacher";

export async function run() {
  const adminEmail = requireEnv("E2E_ADMIN_EMAIL");
  const adminPassword = requireEnv("E2E_ADMIN_PASSWORD");
  const email = `teacher.${runId}@example.com`;
  const fullName = `E2E Teacher ${runId}`;
  const title = `E2E Teacher Course ${runId}`;

  const t = await openSession({ name });
  const page = t.page;
  let admin;
  try {
    // Register as a teacher.
    await page.goto("/register/");
    await page.getByText("Teach", { exact: true }).click();
    await page.getByLabel("Full name").fill(fullName);
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/teacher\/?$/);
    await page.getByTestId("unverified-banner").waitFor();
    await snap(page, name, "dashboard-unverified");

    // Draft a course: publishing is blocked.
    await page.getByTestId("new-course").click();
    await page.waitForURL(/\/teacher\/course\/?$/);
    await page.getByLabel("Title").fill(title);
    await page.getByLabel("Description").fill("Everything a beginner needs, made by the e2e teacher journey.");
    await page.getByLabel("Category").selectOption("Design");
    await page.getByLabel("Level").selectOption("intermediate");
    await page.getByLabel("Price").fill("0");
    const publish = page.getByLabel("Published in the catalog");
    assert(await publish.isDisabled(), "publish checkbox is disabled while unverified");
    await page.getByTestId("save-course").click();
    await page.waitForURL(/\/teacher\/course\/?\?id=/);
    await page.getByText("Course created").waitFor();
    const courseId = new URL(page.url()).searchParams.get("id");
    log("draft course", courseId);

    // Module and two lessons.
    await page.getByLabel("New module title").fill("Getting started");
    await page.getByTestId("add-module").click();
    const mod = page.getByTestId("module-card").filter({ hasText: "Getting started" });
    await mod.waitFor();
    for (const [i, lessonTitle] of ["Second lesson", "First lesson"].entries()) {
      await mod.getByTestId("add-lesson").click();
      await mod.getByLabel("Lesson title").fill(lessonTitle);
      await mod.getByLabel("Duration (minutes)").fill(String(10 + i));
      await mod.getByLabel("Content").fill(`Content of the ${lessonTitle.toLowerCase()}.`);
      await mod.getByRole("button", { name: "Add lesson", exact: true }).click();
      await mod.getByText(lessonTitle, { exact: true }).waitFor();
    }
    // Reorder: "First lesson" up.
    await mod.getByRole("button", { name: "Move lesson First lesson up" }).click();
    await eventually(async () => {
      const rows = await mod.locator("ol > li").allInnerTexts();
      return rows[0]?.includes("First lesson") && rows[1]?.includes("Second lesson");
    }, "lessons reordered");
    await snap(page, name, "course-editor");

    // Blocked: the draft is not in the public catalog.
    await page.goto(`/?q=${encodeURIComponent(title)}`);
    await page.getByText("No courses match").waitFor();

    // Admin verifies the teacher.
    admin = await openSession({ name: "admin" });
    await uiLogin(admin.page, adminEmail, adminPassword);
    await admin.page.goto("/admin/");
    const row = admin.page.getByTestId("teacher-list").locator(`li[data-email="${email}"]`);
    await eventually(async () => {
      if (await row.count()) return true;
      // The list is paginated newest-first or oldest-first; page through if needed.
      const next = admin.page.getByRole("button", { name: "Next →" });
      if ((await next.count()) && (await next.isEnabled())) await next.click();
      return false;
    }, "pending teacher listed");
    await snap(admin.page, name, "admin-pending");
    await row.getByRole("button", { name: /^Verify/ }).click();
    await admin.page.getByText(/is verified and can now publish/).waitFor();
    await snap(admin.page, name, "admin-verified");

    // Teacher: verified after a token refresh; publish.
    await page.goto("/teacher/");
    // The page re-reads the user on load (and refreshes the token when its claims are stale);
    // "Check again" does the same without a reload.
    await page.getByText("Verified teacher").or(page.getByTestId("unverified-banner")).first().waitFor();
    if (await page.getByTestId("unverified-banner").count()) {
      await page.getByTestId("unverified-banner").getByRole("button", { name: "Check again" }).click({ timeout: 5000 }).catch(() => {});
    }
    await page.getByText("Verified teacher").waitFor();
    await page.getByTestId("unverified-banner").waitFor({ state: "detached" });
    await page.goto(`/teacher/course/?id=${courseId}`);
    const publish2 = page.getByLabel("Published in the catalog");
    await eventually(() => publish2.isEnabled(), "publish enabled");
    await publish2.check();
    await page.getByTestId("save-course").click();
    await page.getByText("Your changes are saved.").waitFor();
    await page.goto("/teacher/");
    await page.getByTestId("teacher-courses").locator("li", { hasText: title }).getByText("Published").waitFor();
    await snap(page, name, "dashboard-verified");

    // Visible in the catalog, with its curriculum in order.
    await page.goto("/");
    await page.getByLabel("Search courses").fill(title);
    await page.getByRole("link", { name: title }).click();
    await page.getByRole("heading", { level: 1, name: title }).waitFor();
    // the curriculum loads beside the course: wait for its lessons before reading their order
    const curriculumSection = page.locator("section", { has: page.getByRole("heading", { name: "Curriculum" }) });
    await curriculumSection.getByText("Second lesson").first().waitFor();
    const curriculum = await curriculumSection.innerText();
    assert(curriculum.indexOf("First lesson") < curriculum.indexOf("Second lesson"), "lessons in the new order");
    assert(curriculum.includes("Getting started"), "module shown");
    await snap(page, name, "public-course-page");
    log("teacher journey done");
  } catch (err) {
    await snap(page, name, "FAILED");
    if (admin) await snap(admin.page, name, "FAILED-admin");
    throw err;
  } finally {
    if (t.consoleErrors.length) log("page errors:", t.consoleErrors.join("\n"));
    await t.close();
    if (admin) await admin.close();
  }
}
