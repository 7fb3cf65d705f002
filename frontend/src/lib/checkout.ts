/**
 * Checkout, orchestrated by the client: payment → enrollment → notification.
 *
 * A pure state machine (no I/O, no clock, no randomness) plus a small runner that takes the
 * three calls as functions. The state is serialisable and persisted by the page between
 * attempts, so a failure at any step resumes from that step:
 *
 * - The payment's Idempotency-Key is created once and kept for the whole checkout (until it is
 *   done), so a retry, a double click or a reload never charges twice. A declined attempt binds
 *   nothing on the server, so a retry with another card uses the same key too.
 * - Paid but not enrolled is never a dead end: a failed enrollment resumes at the enrollment
 *   step with the kept receipt; if the receipt itself is refused (e.g. it expired), the payment
 *   is replayed with the *same* key, which returns the same payment and a fresh receipt.
 * - "Already paid" (409, a payment made in another checkout or on another device) resumes with
 *   that payment's receipt, found in the student's payments; nothing is charged twice.
 * - "Already enrolled" (409) counts as enrolled.
 * - A failed notification leaves the student enrolled; it can be retried or skipped.
 */

import { formatPrice } from "./format";
import type { NotificationInput } from "./types";

export type CheckoutStep = "payment" | "enrollment" | "notification" | "done";
export type CheckoutStatus = "ready" | "running" | "failed" | "done";

export interface StepError {
  step: Exclude<CheckoutStep, "done">;
  /** HTTP status; 0 when the server could not be reached. */
  status: number;
  code: string;
  message: string;
}

export interface CheckoutState {
  version: 1;
  courseId: string;
  courseTitle: string;
  priceCents: number;
  currency: string;
  offer: string;
  idempotencyKey: string;
  step: CheckoutStep;
  status: CheckoutStatus;
  paymentId: string | null;
  receipt: string | null;
  enrollmentId: string | null;
  alreadyEnrolled: boolean;
  /** Set when the offer was refused: the next attempt needs a fresh offer from the course. */
  needsFreshOffer: boolean;
  error: StepError | null;
  attempts: number;
}

export interface StartInput {
  courseId: string;
  courseTitle: string;
  priceCents: number;
  currency: string;
  offer: string;
  idempotencyKey: string;
}

export function startCheckout(input: StartInput): CheckoutState {
  return {
    version: 1,
    ...input,
    step: input.priceCents > 0 ? "payment" : "enrollment",
    status: "ready",
    paymentId: null,
    receipt: null,
    enrollmentId: null,
    alreadyEnrolled: false,
    needsFreshOffer: false,
    error: null,
    attempts: 0,
  };
}

export type CheckoutEvent =
  | { type: "STEP_STARTED" }
  | { type: "PAYMENT_SUCCEEDED"; paymentId: string; receipt: string }
  | { type: "ENROLLMENT_SUCCEEDED"; enrollmentId: string | null }
  | { type: "NOTIFICATION_SUCCEEDED" }
  | { type: "STEP_FAILED"; status: number; code: string; message: string }
  | { type: "RETRY" }
  | { type: "OFFER_REFRESHED"; offer: string; priceCents?: number; currency?: string }
  | { type: "SKIP_NOTIFICATION" };

export type CheckoutAction =
  | { kind: "pay"; offer: string; idempotencyKey: string }
  | { kind: "enroll"; courseId: string; receipt?: string; offer?: string }
  | { kind: "notify"; notification: NotificationInput }
  | { kind: "refresh-offer"; courseId: string }
  | { kind: "none" };

/** True when the server said for certain the request was refused and nothing was charged. */
export function isDefinitiveRejection(status: number): boolean {
  return status === 400 || status === 402 || status === 422;
}

/** The codes with which payment or enrollment refuse the offer: fetching the course gets a new one. */
const OFFER_REFUSED = new Set(["invalid_offer", "offer_expired", "offer_course_mismatch"]);
/** The codes with which enrollment refuses the receipt: replaying the payment (same key) gets a new one. */
const RECEIPT_REFUSED = new Set(["invalid_receipt", "receipt_expired"]);
/** Enrollment's answers that mean the caller is enrolled already (the receipt was spent on it). */
const ENROLLED = new Set(["already_enrolled", "receipt_already_used"]);

export function checkoutReducer(state: CheckoutState, event: CheckoutEvent): CheckoutState {
  switch (event.type) {
    case "STEP_STARTED":
      if (state.status !== "ready") return state;
      return { ...state, status: "running", attempts: state.attempts + 1 };

    case "PAYMENT_SUCCEEDED":
      if (state.step !== "payment") return state;
      return {
        ...state,
        step: "enrollment",
        status: "ready",
        paymentId: event.paymentId,
        receipt: event.receipt,
        error: null,
      };

    case "ENROLLMENT_SUCCEEDED":
      if (state.step !== "enrollment") return state;
      return { ...state, step: "notification", status: "ready", enrollmentId: event.enrollmentId, error: null };

    case "NOTIFICATION_SUCCEEDED":
      if (state.step !== "notification") return state;
      return { ...state, step: "done", status: "done", error: null };

    case "SKIP_NOTIFICATION":
      if (state.step !== "notification") return state;
      return { ...state, step: "done", status: "done", error: null };

    case "STEP_FAILED": {
      if (state.step === "done") return state;
      const { status, code, message } = event;
      const error: StepError = { step: state.step, status, code, message };

      if (state.step === "enrollment" && ENROLLED.has(code)) {
        // Already enrolled: the goal is reached. If an earlier attempt of this checkout may have
        // enrolled (it failed without an answer), its notification is still owed; otherwise the
        // enrollment predates this checkout and was announced then.
        const ourEarlierAttempt = state.error?.step === "enrollment";
        return ourEarlierAttempt
          ? { ...state, step: "notification", status: "ready", alreadyEnrolled: true, error: null }
          : { ...state, step: "done", status: "done", alreadyEnrolled: true, error: null };
      }
      if (state.step === "payment") {
        return {
          ...state,
          status: "failed",
          error,
          needsFreshOffer:
            state.needsFreshOffer || OFFER_REFUSED.has(code),
        };
      }
      if (state.step === "enrollment") {
        if (code === "payment_required" && !state.receipt) {
          // The course is no longer free: get its current offer and pay (after the person confirms).
          return { ...state, step: "payment", status: "failed", error, needsFreshOffer: true };
        }
        if (state.receipt && RECEIPT_REFUSED.has(code)) {
          // The receipt was refused (expired?): replay the payment with the same key for a new one.
          return { ...state, step: "payment", status: "failed", error, receipt: null };
        }
        if (!state.receipt && OFFER_REFUSED.has(code)) {
          return { ...state, status: "failed", error, needsFreshOffer: true };
        }
        return { ...state, status: "failed", error };
      }
      return { ...state, status: "failed", error };
    }

    case "RETRY":
      if (state.status !== "failed") return state;
      return { ...state, status: "ready" };

    case "OFFER_REFRESHED": {
      const priceCents = event.priceCents ?? state.priceCents;
      const currency = event.currency ?? state.currency;
      const next = { ...state, offer: event.offer, priceCents, currency, needsFreshOffer: false };
      if (priceCents !== state.priceCents || currency !== state.currency) {
        // Never charge a new price without the person seeing it first.
        const step = state.step === "done" ? "notification" : state.step;
        return {
          ...next,
          step: priceCents > 0 && !state.receipt && step === "enrollment" ? "payment" : step,
          status: "failed",
          error: { step: step === "enrollment" && priceCents > 0 ? "payment" : step, status: 0, code: "price_changed", message: `The price is now ${formatPrice(priceCents, currency)}.` },
        };
      }
      return next;
    }
  }
}

/** What the runner should do next; "none" while waiting for the person (failed/done/running). */
export function nextAction(state: CheckoutState): CheckoutAction {
  if (state.status !== "ready") return { kind: "none" };
  if (state.needsFreshOffer && (state.step === "payment" || (state.step === "enrollment" && !state.receipt))) {
    return { kind: "refresh-offer", courseId: state.courseId };
  }
  switch (state.step) {
    case "payment":
      return { kind: "pay", offer: state.offer, idempotencyKey: state.idempotencyKey };
    case "enrollment":
      return state.receipt
        ? { kind: "enroll", courseId: state.courseId, receipt: state.receipt }
        : { kind: "enroll", courseId: state.courseId, offer: state.offer };
    case "notification":
      return {
        kind: "notify",
        notification: {
          type: "enrollment",
          title: `You're enrolled in ${state.courseTitle}`,
          body:
            state.priceCents > 0
              ? `Payment received. You now have full access to "${state.courseTitle}". Happy learning!`
              : `You now have access to "${state.courseTitle}". Happy learning!`,
        },
      };
    default:
      return { kind: "none" };
  }
}

/** Human text for the step a failure happened in. */
export function describeFailure(state: CheckoutState): string {
  const e = state.error;
  if (!e) return "";
  if (e.code === "price_changed") return `The course's price changed since you opened it. ${e.message} Check it and confirm to continue.`;
  const where =
    e.step === "payment"
      ? state.paymentId
        ? "We could not confirm your payment receipt."
        : e.code === "already_paid"
          ? "You have already paid for this course from another checkout. Open My learning; if the course is not there, contact support with your payment."
          : e.status === 402
          ? "Your card was declined. You have not been charged."
          : isDefinitiveRejection(e.status)
            ? "The payment was refused. You have not been charged."
            : "We could not confirm the payment. If it went through, retrying will not charge you again."
      : e.step === "enrollment"
        ? state.paymentId
          ? "Your payment succeeded, but enrolling you in the course failed. Retry to finish — you will not be charged again."
          : "Enrolling you in the course failed."
        : "You are enrolled, but we could not send your confirmation notification.";
  return `${where} (${e.message})`;
}

export interface CheckoutDeps {
  pay(offer: string, idempotencyKey: string): Promise<{ paymentId: string; receipt: string }>;
  enroll(body: { courseId: string; receipt?: string; offer?: string }): Promise<{ enrollmentId: string | null }>;
  notify(n: NotificationInput): Promise<void>;
  refreshOffer(courseId: string): Promise<{ offer: string; priceCents?: number; currency?: string }>;
  /** The student's earlier succeeded payment for the course, with a fresh receipt, if any. */
  findPayment(courseId: string): Promise<{ paymentId: string; receipt: string } | null>;
}

function toFailure(err: unknown): Extract<CheckoutEvent, { type: "STEP_FAILED" }> {
  if (err && typeof err === "object") {
    const e = err as { status?: unknown; code?: unknown; message?: unknown };
    return {
      type: "STEP_FAILED",
      status: typeof e.status === "number" ? e.status : 0,
      code: typeof e.code === "string" ? e.code : "error",
      message: typeof e.message === "string" && e.message ? e.message : "Something went wrong.",
    };
  }
  return { type: "STEP_FAILED", status: 0, code: "error", message: String(err) };
}

/** Pays, or, when the course was already paid for elsewhere, picks up that payment. */
async function payOrReuse(
  deps: CheckoutDeps,
  courseId: string,
  offer: string,
  idempotencyKey: string,
): Promise<{ paymentId: string; receipt: string }> {
  try {
    return await deps.pay(offer, idempotencyKey);
  } catch (err) {
    if (toFailure(err).code !== "already_paid") throw err;
    const earlier = await deps.findPayment(courseId);
    if (!earlier) throw err;
    return earlier;
  }
}

/**
 * Runs the checkout from whatever step `state` is at until it is done or a step fails.
 * `onChange` sees every intermediate state (the page persists it).
 */
export async function runCheckout(
  initial: CheckoutState,
  deps: CheckoutDeps,
  onChange: (s: CheckoutState) => void = () => {},
): Promise<CheckoutState> {
  let state = initial;
  const apply = (e: CheckoutEvent) => {
    state = checkoutReducer(state, e);
    onChange(state);
  };
  for (let guard = 0; guard < 10; guard++) {
    const action = nextAction(state);
    if (action.kind === "none") return state;
    if (action.kind === "refresh-offer") {
      try {
        const fresh = await deps.refreshOffer(action.courseId);
        apply({ type: "OFFER_REFRESHED", ...fresh });
      } catch (err) {
        apply({ type: "STEP_STARTED" });
        apply(toFailure(err));
        return state;
      }
      continue;
    }
    apply({ type: "STEP_STARTED" });
    try {
      if (action.kind === "pay") {
        const r = await payOrReuse(deps, state.courseId, action.offer, action.idempotencyKey);
        apply({ type: "PAYMENT_SUCCEEDED", paymentId: r.paymentId, receipt: r.receipt });
      } else if (action.kind === "enroll") {
        const r = await deps.enroll({ courseId: action.courseId, receipt: action.receipt, offer: action.offer });
        apply({ type: "ENROLLMENT_SUCCEEDED", enrollmentId: r.enrollmentId });
      } else {
        await deps.notify(action.notification);
        apply({ type: "NOTIFICATION_SUCCEEDED" });
      }
    } catch (err) {
      apply(toFailure(err));
    }
  }
  return state;
}

/** Validates a value read back from storage. */
export function isCheckoutState(x: unknown): x is CheckoutState {
  if (!x || typeof x !== "object") return false;
  const s = x as Partial<CheckoutState>;
  return (
    s.version === 1 &&
    typeof s.courseId === "string" &&
    typeof s.idempotencyKey === "string" &&
    typeof s.offer === "string" &&
    (s.step === "payment" || s.step === "enrollment" || s.step === "notification" || s.step === "done")
  );
}

/** A state loaded after a reload: a step left "running" may or may not have finished — retry it. */
export function reviveCheckout(s: CheckoutState): CheckoutState {
  if (s.status === "running") {
    return {
      ...s,
      status: "failed",
      error: {
        step: s.step === "done" ? "notification" : s.step,
        status: 0,
        code: "interrupted",
        message: "The page was closed while this step was running.",
      },
    };
  }
  return s;
}
