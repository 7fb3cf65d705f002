/**
 * Failed payment with retry: a declined card fails at the payment step, the failure survives a
 * reload, and a retry with a good card (double-clicked) charges once and enrolls.
 */
import {
  DECLINED_CARD,
  GOOD_CARD,
  assert,
  api,
  eventually,
  items,
  log,
  login,
  openSession,
  publishedCourse,
  registerUser,
  runId,
  snap,
  uiLogin,
  verifiedTeacher,
} from "./lib.mjs";

export const name = "payment-retry";

export async function run() {
  log("setup: a paid course and a student");
  const teacher = await verifiedTeacher("teacher-p");
  const title = `E2E Retry Course ${runId}`;
  const course = await publishedCourse(teacher, { title, price_cents: 4900, lessons: 1 });
  const student = await registerUser("student", "student-p");

  const s = await openSession({ name, width: 390, height: 844 }); // phone width
  const { page } = s;
  try {
    await page.goto("/login/");
    await page.getByLabel("Email", { exact: true }).fill(student.email);
    await page.getByLabel("Password", { exact: true }).fill(student.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    void uiLogin;

    await page.goto(`/courses/view/?id=${course.id}`);
    const buy = page.getByTestId("enroll-button");
    await eventually(async () => /Buy for \$49\.00/.test(await buy.innerText()), "buy button");
    await buy.click();
    await page.waitForURL(/\/checkout\/?\?course=/);

    // Declined.
    await page.getByLabel("Card number").fill(DECLINED_CARD);
    await page.getByTestId("pay-button").click();
    await page.getByTestId("checkout-error").waitFor();
    const msg = await page.getByTestId("checkout-error").innerText();
    assert(/declined/i.test(msg), `declined message, got: ${msg}`);
    assert((await page.locator('[data-step="payment"]').getAttribute("data-state")) === "failed", "payment step failed");
    await snap(page, name, "declined");

    // The failure survives a reload, with a retry.
    await page.reload();
    await page.getByTestId("checkout-error").waitFor();
    await page.getByTestId("retry-button").waitFor();
    await snap(page, name, "declined-after-reload");

    // Retry with a good card; a double click must not charge twice.
    await page.getByLabel("Card number").fill(GOOD_CARD);
    await page.getByTestId("retry-button").dblclick();
    await page.getByText("You're enrolled!").waitFor();
    await snap(page, name, "enrolled-after-retry");

    const token = await login(student.email, student.password);
    const payments = items(await api("GET", "/payments/me", { token })).filter((p) => p.course_id === course.id);
    const ok = payments.filter((p) => !/declin|fail|error|reject/i.test(String(p.status)));
    assert(ok.length === 1, `exactly one successful payment, got ${JSON.stringify(payments)}`);
    const enrollments = items(await api("GET", "/enrollments/me?limit=100", { token })).filter((e) => e.course_id === course.id);
    assert(enrollments.length === 1, `one enrollment, got ${enrollments.length}`);

    await page.goto(`/courses/view/?id=${course.id}`);
    await eventually(async () => /Continue learning/.test(await page.getByTestId("enroll-button").innerText()), "continue learning");
    await page.getByTestId("notifications-link").click();
    await page.getByTestId("notification-list").locator("li", { hasText: title }).first().waitFor();
    log("payment retry journey done");
  } catch (err) {
    await snap(page, name, "FAILED");
    throw err;
  } finally {
    if (s.consoleErrors.length) log("page errors:", s.consoleErrors.join("\n"));
    await s.close();
  }
}
