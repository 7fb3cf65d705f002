/**
 * Sessions that fail honestly (issue 16 items 1 and 6):
 * - the stored tokens vanish while a student is at checkout: Pay ends the session, leads to the
 *   login page saying so, and logging in comes back to the checkout;
 * - My learning reads the courses in one request, and when that request fails it says so
 *   instead of showing cards with made-up numbers.
 */
import { GOOD_CARD, api, assert, eventually, log, login, openSession, publishedCourse, registerUser, snap, uiLogin, verifiedTeacher } from "./lib.mjs";

export const name = "session";

async function enrollFree(token, course) {
  const detail = await api("GET", `/courses/${course.id}`, { token });
  await api("POST", "/enrollments", { token, body: { course_id: course.id, offer: detail.offer } });
}

export async function run() {
  log("setup: a paid course, two free courses, a student enrolled in the free ones");
  const teacher = await verifiedTeacher("teacher-s");
  const paid = await publishedCourse(teacher, { title: "E2E Session Paid", price_cents: 1900, lessons: 1 });
  const free = [
    await publishedCourse(teacher, { title: "E2E Session Free A", price_cents: 0, lessons: 2 }),
    await publishedCourse(teacher, { title: "E2E Session Free B", price_cents: 0, lessons: 1 }),
  ];
  const student = await registerUser("student", "student-s");
  const token = await login(student.email, student.password);
  for (const course of free) await enrollFree(token, course);

  const s = await openSession({ name });
  const { page } = s;
  try {
    await uiLogin(page, student.email, student.password);

    // My learning: the enrolled courses come in one catalog request
    const courseRequests = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname.startsWith("/api/courses")) courseRequests.push(r.url());
    });
    await page.goto("/learning/");
    await page.getByTestId("enrollment-list").getByText("E2E Session Free A").waitFor();
    await page.getByTestId("enrollment-list").getByText("E2E Session Free B").waitFor();
    assert(courseRequests.length === 1, `one request for the courses, got ${courseRequests.join(", ")}`);

    // My learning with the course API failing: the failure, not cards with made-up numbers
    const coursesByIds = (u) => u.pathname === "/api/courses" && u.searchParams.has("ids");
    await page.route(coursesByIds, (route) =>
      route.fulfill({
        status: 503,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "database_unavailable", message: "The course service is unavailable.", details: [] } }),
      }),
    );
    await page.reload();
    await page.getByText("Could not load your courses").waitFor();
    assert((await page.getByTestId("enrollment-list").count()) === 0, "no course cards while the course API fails");
    assert((await page.getByRole("link", { name: /Continue|Start/ }).count()) === 0, "no Continue/Start without courses");
    await snap(page, name, "my-learning-course-api-down");
    await page.unroute(coursesByIds);

    // At checkout, the stored tokens vanish (cleared in another tab, or by the browser)
    await page.goto(`/checkout/?course=${paid.id}`);
    await page.getByLabel("Card number").fill(GOOD_CARD);
    await page.evaluate(() => window.localStorage.clear());
    await page.getByTestId("pay-button").click();

    // Then the session ends and the login page says why, offering to come back
    await page.waitForURL((u) => u.pathname === "/login/");
    const url = new URL(page.url());
    assert(url.searchParams.get("next") === `/checkout/?course=${paid.id}`, `next is the checkout: ${page.url()}`);
    await page.getByText("Your session has ended").waitFor();
    await eventually(async () => (await page.getByRole("button", { name: "Log out" }).count()) === 0, "no Log out once the session ended");
    await snap(page, name, "session-ended");

    // And logging in again returns to the checkout
    await page.getByLabel("Email", { exact: true }).fill(student.email);
    await page.getByLabel("Password", { exact: true }).fill(student.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((u) => u.pathname === "/checkout/" && u.searchParams.get("course") === paid.id);
    await page.getByLabel("Card number").waitFor(); // the payment can be finished from here
    log("session journey done");
  } catch (err) {
    await snap(page, name, "FAILED");
    throw err;
  } finally {
    if (s.consoleErrors.length) log("page errors:", s.consoleErrors.join("\n"));
    await s.close();
  }
}
