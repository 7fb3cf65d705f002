/**
 * Where keyboard focus lands after each action (issue 16 item 2): never on <body>.
 * Register or the course editor refused → the first invalid field (and an error summary); a
 * declined card → the card field, marked invalid; paid → "Start learning"; Mark complete → the
 * next lesson; Mark as read →
 * the next unread one or the notification; Escape in the phone menu → the menu button.
 */
import { DECLINED_CARD, GOOD_CARD, eventually, log, openSession, publishedCourse, registerUser, snap, verifiedTeacher } from "./lib.mjs";

export const name = "focus";

const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return {
      tag: el?.tagName.toLowerCase(),
      name: el?.getAttribute("name"),
      testid: el?.getAttribute("data-testid"),
      invalid: el?.getAttribute("aria-invalid"),
      label: el?.getAttribute("aria-label"),
      notification: el?.getAttribute("data-notification"),
      disabled: el?.hasAttribute("disabled") ?? false,
    };
  });

async function focusIs(page, expected, what) {
  await eventually(async () => {
    const f = await focused(page);
    return Object.entries(expected).every(([k, v]) => f[k] === v);
  }, `${what}: focus on ${JSON.stringify(expected)}, got ${JSON.stringify(await focused(page))}`, 10_000, 200);
}

export async function run() {
  const teacher = await verifiedTeacher("teacher-f");
  const course = await publishedCourse(teacher, { title: "E2E Focus Course", price_cents: 1500, lessons: 2 });
  const student = await registerUser("student", "student-f");

  const s = await openSession({ name, width: 390, height: 844 });
  const { page } = s;
  try {
    // Register with nothing filled in: the summary lists the fields, focus is on the first
    await page.goto("/register/");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByTestId("error-summary").waitFor();
    await focusIs(page, { name: "full_name", invalid: "true" }, "refused registration");

    // Escape closes the phone menu and gives focus back to its button
    await page.getByRole("button", { name: "Menu" }).click();
    await page.locator("#mobile-menu").getByRole("link").first().focus();
    await page.keyboard.press("Escape");
    await focusIs(page, { label: "Menu" }, "Escape in the menu");

    // (uiLogin waits for the desktop Log out button, hidden at this width)
    await page.goto("/login/");
    await page.getByLabel("Email", { exact: true }).fill(student.email);
    await page.getByLabel("Password", { exact: true }).fill(student.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByTestId("notifications-link").waitFor();

    // A declined card: focus on the card field, marked invalid
    await page.goto(`/checkout/?course=${course.id}`);
    await page.getByLabel("Card number").fill(DECLINED_CARD);
    await page.getByTestId("pay-button").click();
    await page.getByTestId("checkout-error").waitFor();
    await focusIs(page, { name: "card_number", invalid: "true" }, "declined payment");

    // Paid: focus on "Start learning"
    await page.getByLabel("Card number").fill(GOOD_CARD);
    await page.getByTestId("retry-button").click();
    await page.getByText("You're enrolled!").waitFor();
    await focusIs(page, { testid: "start-learning" }, "payment succeeded");

    // Mark complete: focus on the next lesson
    await page.goto(`/learn/?course=${course.id}&lesson=${course.lessons[0].id}`);
    await page.getByTestId("mark-complete").click();
    await page.getByTestId("lesson-completed").waitFor();
    await focusIs(page, { testid: "next-lesson" }, "lesson marked complete");

    // Mark as read: focus stays in the list
    await page.goto("/notifications/");
    const markRead = page.getByRole("button", { name: /^Mark as read/ }).first();
    await markRead.click();
    await eventually(async () => {
      const f = await focused(page);
      return f.tag !== "body" && (f.notification || /^Mark as read/.test(f.label ?? ""));
    }, "focus in the notification list after Mark as read", 10_000, 200);

    // The course editor refuses an empty course: summary, focus on the first invalid field
    await page.evaluate(() => window.localStorage.clear());
    await page.goto("/login/");
    await page.getByLabel("Email", { exact: true }).fill(teacher.email);
    await page.getByLabel("Password", { exact: true }).fill(teacher.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByTestId("notifications-link").waitFor();
    await page.goto("/teacher/course/");
    await page.getByTestId("save-course").click();
    await page.getByTestId("error-summary").waitFor();
    await focusIs(page, { name: "title", invalid: "true" }, "refused course");

    log("focus journey done");
  } catch (err) {
    await snap(page, name, "FAILED");
    throw err;
  } finally {
    await s.close();
  }
}
