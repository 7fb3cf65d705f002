/** Student journey: register → search → buy → learn → complete → review → notification. */
import {
  GOOD_CARD,
  PASSWORD,
  assert,
  api,
  eventually,
  items,
  log,
  login,
  openSession,
  publishedCourse,
  runId,
  snap,
  verifiedTeacher,
} from "./lib.mjs";

export const name = "student";

export async function run() {
  log("setup: a verified teacher with a paid, published course");
  const teacher = await verifiedTeacher("teacher-s");
  const title = `E2E Paid Course ${runId}`;
  const course = await publishedCourse(teacher, { title, price_cents: 1999, lessons: 2 });

  const s = await openSession({ name });
  const { page } = s;
  try {
    // Register through the UI.
    const email = `student.${runId}@example.com`;
    await page.goto("/register/");
    await page.getByLabel("Full name").fill(`E2E Student ${runId}`);
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    await page.getByRole("button", { name: "Log out" }).waitFor();
    log("registered and logged in as", email);

    // Search (debounced) and open the course.
    await page.getByLabel("Search courses").fill(title);
    const card = page.getByRole("link", { name: title });
    await card.waitFor();
    await eventually(async () => /1 course found/.test(await page.getByTestId("result-count").innerText()), "one result");
    await snap(page, name, "catalog-search");
    await card.click();
    await page.getByRole("heading", { level: 1, name: title }).waitFor();
    await page.getByText("Lesson 1: step 1").waitFor();
    await snap(page, name, "course-page");

    // Buy.
    const buy = page.getByTestId("enroll-button");
    await eventually(async () => /Buy for \$19\.99/.test(await buy.innerText()), "buy button with price");
    await buy.click();
    await page.waitForURL(/\/checkout\/?\?course=/);
    await page.getByLabel("Card number").fill(GOOD_CARD);
    await page.getByTestId("pay-button").click();
    await page.getByText("You're enrolled!").waitFor();
    await snap(page, name, "checkout-done");

    // Learn: complete both lessons.
    await page.getByTestId("start-learning").click();
    await page.getByRole("heading", { level: 1, name: "Lesson 1: step 1" }).waitFor();
    await page.getByTestId("mark-complete").click();
    await page.getByTestId("lesson-completed").waitFor();
    await snap(page, name, "lesson-1-complete");
    await page.getByRole("link", { name: /^Next lesson/ }).click();
    await page.getByRole("heading", { level: 1, name: "Lesson 2: step 2" }).waitFor();
    await page.getByRole("link", { name: /^Previous lesson/ }).waitFor();
    await page.getByTestId("mark-complete").click();
    await page.getByText("You completed every lesson!").waitFor();
    await snap(page, name, "lesson-viewer-all-done");

    const progress = await api("GET", `/courses/${course.id}/progress`, { token: await login(email, PASSWORD) });
    assert(progress.completed_lesson_ids.length === 2, `2 lessons completed, got ${JSON.stringify(progress)}`);

    // My learning shows 100 %.
    await page.goto("/learning/");
    await page.getByRole("progressbar", { name: `Progress in ${title}` }).waitFor();
    await eventually(
      async () => (await page.getByRole("progressbar", { name: `Progress in ${title}` }).getAttribute("aria-valuenow")) === "100",
      "progress 100%",
    );
    await snap(page, name, "my-learning");

    // Review.
    await page.goto(`/courses/view/?id=${course.id}`);
    await page.getByRole("heading", { name: "Rate this course" }).waitFor();
    await page.getByLabel("5 stars, Excellent").check({ force: true });
    await page.getByLabel("Your review").fill(`Great course (${runId}).`);
    await page.getByRole("button", { name: "Submit review" }).click();
    await page.getByText("Thanks for your review!").waitFor();
    await page.getByTestId("review-list").getByText(`Great course (${runId}).`).waitFor();
    await snap(page, name, "review");

    // Notification: badge, list, mark as read.
    const badge = page.getByTestId("unread-badge");
    await badge.waitFor();
    await page.getByTestId("notifications-link").click();
    const note = page.getByTestId("notification-list").locator("li", { hasText: title }).first();
    await note.waitFor();
    await snap(page, name, "notifications");
    await note.getByRole("button", { name: /^Mark as read/ }).click();
    await eventually(async () => (await note.getAttribute("data-unread")) === null, "notification read");
    await eventually(async () => (await badge.count()) === 0, "badge cleared", 40_000);
    log("student journey done");
  } catch (err) {
    await snap(page, name, "FAILED");
    throw err;
  } finally {
    if (s.consoleErrors.length) log("page errors:", s.consoleErrors.join("\n"));
    await s.close();
  }
  void items;
}
