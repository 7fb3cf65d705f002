import { describe, expect, it, vi } from "vitest";
import {
  type CheckoutDeps,
  type CheckoutState,
  checkoutReducer,
  describeFailure,
  isCheckoutState,
  nextAction,
  reviveCheckout,
  runCheckout,
  startCheckout,
} from "./checkout";

const paid = () =>
  startCheckout({
    courseId: "c1",
    courseTitle: "Python",
    priceCents: 1999,
    currency: "USD",
    offer: "offer-1",
    idempotencyKey: "key-1",
  });

const free = () => ({ ...paid(), priceCents: 0, step: "enrollment" as const });

class HttpError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

function deps(fail: { pay?: Error; enroll?: Error; notify?: Error } = {}) {
  const d = {
    pay: vi.fn(async (_offer: string, key: string) => ({ paymentId: `pay-${key}`, receipt: `receipt-${key}` })),
    enroll: vi.fn(async (_b: { courseId: string; receipt?: string; offer?: string }) => ({ enrollmentId: "enr-1" })),
    notify: vi.fn(async (_n: { type: string; title: string; body: string }) => {}),
    refreshOffer: vi.fn(async (_id: string) => ({ offer: "offer-2" })),
    findPayment: vi.fn(async (_id: string): Promise<{ paymentId: string; receipt: string } | null> => null),
  };
  if (fail.pay) d.pay.mockRejectedValueOnce(fail.pay);
  if (fail.enroll) d.enroll.mockRejectedValueOnce(fail.enroll);
  if (fail.notify) d.notify.mockRejectedValueOnce(fail.notify);
  return d satisfies CheckoutDeps;
}

describe("checkout state machine", () => {
  it("starts at payment for a paid course and at enrollment for a free one", () => {
    expect(paid().step).toBe("payment");
    expect(startCheckout({ ...paid(), priceCents: 0 }).step).toBe("enrollment");
  });

  it("runs payment → enrollment(receipt) → notification", async () => {
    const d = deps();
    const states: CheckoutState[] = [];
    const end = await runCheckout(paid(), d, (s) => states.push(s));
    expect(end.status).toBe("done");
    expect(d.pay).toHaveBeenCalledWith("offer-1", "key-1");
    expect(d.enroll).toHaveBeenCalledWith({ courseId: "c1", receipt: "receipt-key-1", offer: undefined });
    expect(d.notify).toHaveBeenCalledTimes(1);
    expect(d.notify.mock.calls[0]).toBeDefined();
    expect(end.paymentId).toBe("pay-key-1");
    expect(states.map((s) => `${s.step}:${s.status}`)).toEqual([
      "payment:running",
      "enrollment:ready",
      "enrollment:running",
      "notification:ready",
      "notification:running",
      "done:done",
    ]);
  });

  it("enrolls a free course with the offer and never pays", async () => {
    const d = deps();
    const end = await runCheckout(free(), d);
    expect(end.status).toBe("done");
    expect(d.pay).not.toHaveBeenCalled();
    expect(d.enroll).toHaveBeenCalledWith({ courseId: "c1", receipt: undefined, offer: "offer-1" });
  });

  it("a declined card fails at payment; the retry (another card) keeps the same key", async () => {
    const d = deps({ pay: new HttpError(402, "card_declined", "The card was declined. Try another card.") });
    const failed = await runCheckout(paid(), d);
    expect(failed.status).toBe("failed");
    expect(failed.step).toBe("payment");
    expect(failed.error).toMatchObject({ step: "payment", status: 402, code: "card_declined" });
    expect(describeFailure(failed)).toMatch(/declined.*not been charged/i);
    expect(d.enroll).not.toHaveBeenCalled();

    const retried = checkoutReducer(failed, { type: "RETRY" });
    expect(retried).toMatchObject({ status: "ready", idempotencyKey: "key-1", error: { status: 402 } });
    const end = await runCheckout(retried, d);
    expect(end.status).toBe("done");
    expect(d.pay.mock.calls.map((c) => c[1])).toEqual(["key-1", "key-1"]);
  });

  it("an unknown payment outcome (network, 5xx, 429) keeps the same key so a retry cannot charge twice", async () => {
    for (const status of [0, 500, 503, 429]) {
      const d = deps({ pay: new HttpError(status, "x", "boom") });
      const failed = await runCheckout(paid(), d);
      expect(describeFailure(failed)).toMatch(/will not charge you again/);
      const end = await runCheckout(checkoutReducer(failed, { type: "RETRY" }), d);
      expect(end.status).toBe("done");
      expect(d.pay.mock.calls.map((c) => c[1])).toEqual(["key-1", "key-1"]);
    }
  });

  it("already paid elsewhere resumes with that payment's receipt, charging nothing", async () => {
    const d = deps({ pay: new HttpError(409, "already_paid", "You have already paid for this course.") });
    d.findPayment.mockResolvedValueOnce({ paymentId: "pay-earlier", receipt: "receipt-earlier" });
    const end = await runCheckout(paid(), d);
    expect(end).toMatchObject({ step: "done", status: "done", paymentId: "pay-earlier" });
    expect(d.enroll).toHaveBeenCalledWith({ courseId: "c1", receipt: "receipt-earlier", offer: undefined });
    expect(d.pay).toHaveBeenCalledTimes(1);
  });

  it("already paid but the earlier payment cannot be found is explained, not retried blindly", async () => {
    const d = deps({ pay: new HttpError(409, "already_paid", "You have already paid for this course.") });
    const failed = await runCheckout(paid(), d);
    expect(failed).toMatchObject({ step: "payment", status: "failed" });
    expect(describeFailure(failed)).toMatch(/already paid/i);
  });

  it("paid but enrollment failed: the retry resumes at enrollment without paying again", async () => {
    const d = deps({ enroll: new HttpError(503, "service_unavailable", "down") });
    const failed = await runCheckout(paid(), d);
    expect(failed).toMatchObject({ step: "enrollment", status: "failed", paymentId: "pay-key-1" });
    expect(describeFailure(failed)).toMatch(/payment succeeded/i);

    // Survives a reload (JSON round trip).
    const reloaded: unknown = JSON.parse(JSON.stringify(failed));
    expect(isCheckoutState(reloaded)).toBe(true);
    const state = checkoutReducer(reviveCheckout(reloaded as CheckoutState), { type: "RETRY" });
    expect(nextAction(state)).toEqual({ kind: "enroll", courseId: "c1", receipt: "receipt-key-1" });

    const end = await runCheckout(state, d);
    expect(end.status).toBe("done");
    expect(d.pay).toHaveBeenCalledTimes(1);
    expect(d.enroll).toHaveBeenCalledTimes(2);
  });

  it("an expired receipt replays the payment with the same key to get a new receipt", async () => {
    const d = deps({ enroll: new HttpError(400, "invalid_receipt", "Receipt expired") });
    const failed = await runCheckout(paid(), d);
    expect(failed).toMatchObject({ step: "payment", status: "failed", receipt: null, idempotencyKey: "key-1" });
    const end = await runCheckout(checkoutReducer(failed, { type: "RETRY" }), d);
    expect(end.status).toBe("done");
    expect(d.pay.mock.calls.map((c) => c[1])).toEqual(["key-1", "key-1"]);
  });

  it("409 on enrollment counts as enrolled; notified only if our own earlier attempt may have enrolled", async () => {
    const before = deps({ enroll: new HttpError(409, "already_enrolled", "Already enrolled") });
    const end = await runCheckout(paid(), before);
    expect(end).toMatchObject({ status: "done", alreadyEnrolled: true });
    expect(before.notify).not.toHaveBeenCalled();

    const d = deps({ enroll: new HttpError(0, "network_error", "timeout") });
    const failed = await runCheckout(paid(), d);
    d.enroll.mockRejectedValueOnce(new HttpError(409, "receipt_already_used", "This receipt has already been used to enroll."));
    const end2 = await runCheckout(checkoutReducer(failed, { type: "RETRY" }), d);
    expect(end2).toMatchObject({ status: "done", alreadyEnrolled: true });
    expect(d.notify).toHaveBeenCalledTimes(1);
    expect(d.pay).toHaveBeenCalledTimes(1);
  });

  it("a failed notification can be retried or skipped, never repeating payment or enrollment", async () => {
    const d = deps({ notify: new HttpError(0, "network_error", "offline") });
    const failed = await runCheckout(paid(), d);
    expect(failed).toMatchObject({ step: "notification", status: "failed" });
    expect(describeFailure(failed)).toMatch(/you are enrolled/i);

    expect(checkoutReducer(failed, { type: "SKIP_NOTIFICATION" }).status).toBe("done");
    const end = await runCheckout(checkoutReducer(failed, { type: "RETRY" }), d);
    expect(end.status).toBe("done");
    expect(d.pay).toHaveBeenCalledTimes(1);
    expect(d.enroll).toHaveBeenCalledTimes(1);
    expect(d.notify).toHaveBeenCalledTimes(2);
  });

  it("a refusal whose message mentions the offer keeps the offer unless its code refuses it", async () => {
    // Given a payment refused for another reason, worded with "offer" and "expired"
    const d = deps({ pay: new HttpError(422, "validation_error", "Card expired; the offer still stands.") });

    // When the checkout runs
    const failed = await runCheckout(paid(), d);

    // Then a retry pays again with the same offer (the code, not the wording, decides)
    expect(failed.needsFreshOffer).toBe(false);
    expect(nextAction(checkoutReducer(failed, { type: "RETRY" }))).toEqual({ kind: "pay", offer: "offer-1", idempotencyKey: "key-1" });
  });

  it("a refused offer is refreshed from the course before retrying", async () => {
    const d = deps({ pay: new HttpError(422, "offer_expired", "The offer has expired. Fetch the course again for a new one.") });
    const failed = await runCheckout(paid(), d);
    expect(failed.needsFreshOffer).toBe(true);
    const retried = checkoutReducer(failed, { type: "RETRY" });
    expect(nextAction(retried)).toEqual({ kind: "refresh-offer", courseId: "c1" });
    d.pay.mockResolvedValue({ paymentId: "p", receipt: "r" });
    const end = await runCheckout(retried, d);
    expect(end.status).toBe("done");
    expect(d.refreshOffer).toHaveBeenCalledWith("c1");
    expect(d.pay).toHaveBeenLastCalledWith("offer-2", "key-1");
  });

  it("uses the real API's codes: expired receipt (422) → payment replay, expired offer (422) → fresh offer", async () => {
    const d = deps({ enroll: new HttpError(422, "receipt_expired", "The receipt has expired.") });
    const failed = await runCheckout(paid(), d);
    expect(failed).toMatchObject({ step: "payment", status: "failed", receipt: null });
    expect(describeFailure(failed)).toMatch(/receipt/i);
    const end = await runCheckout(checkoutReducer(failed, { type: "RETRY" }), d);
    expect(end.status).toBe("done");
    expect(d.pay.mock.calls.map((c) => c[1])).toEqual(["key-1", "key-1"]);

    const f = deps({ enroll: new HttpError(422, "offer_expired", "The offer has expired.") });
    const freeFailed = await runCheckout(free(), f);
    expect(freeFailed.needsFreshOffer).toBe(true);
    f.refreshOffer.mockResolvedValueOnce({ offer: "offer-2", priceCents: 0, currency: "USD" } as never);
    const freeEnd = await runCheckout(checkoutReducer(freeFailed, { type: "RETRY" }), f);
    expect(freeEnd.status).toBe("done");
    expect(f.enroll).toHaveBeenLastCalledWith({ courseId: "c1", receipt: undefined, offer: "offer-2" });
  });

  it("a free course that now has a price stops for confirmation before paying", async () => {
    const d = deps({ enroll: new HttpError(402, "payment_required", "This course has a price: pay for it first.") });
    d.refreshOffer.mockResolvedValue({ offer: "offer-paid", priceCents: 990, currency: "USD" } as never);
    const failed = await runCheckout(free(), d);
    expect(failed).toMatchObject({ step: "payment", status: "failed", needsFreshOffer: true });

    const stopped = await runCheckout(checkoutReducer(failed, { type: "RETRY" }), d);
    expect(stopped).toMatchObject({ step: "payment", status: "failed", priceCents: 990, offer: "offer-paid" });
    expect(stopped.error?.code).toBe("price_changed");
    expect(describeFailure(stopped)).toMatch(/\$9\.90/);
    expect(d.pay).not.toHaveBeenCalled();

    const end = await runCheckout(checkoutReducer(stopped, { type: "RETRY" }), d);
    expect(end.status).toBe("done");
    expect(d.pay).toHaveBeenCalledWith("offer-paid", "key-1");
    expect(d.enroll).toHaveBeenLastCalledWith({ courseId: "c1", receipt: "receipt-key-1", offer: undefined });
  });

  it("a step left running by a closed page is revived as failed and retryable", () => {
    const running = checkoutReducer(paid(), { type: "STEP_STARTED" });
    expect(nextAction(running)).toEqual({ kind: "none" });
    const revived = reviveCheckout(running);
    expect(revived).toMatchObject({ status: "failed", step: "payment" });
    const retried = checkoutReducer(revived, { type: "RETRY" });
    expect(retried.idempotencyKey).toBe("key-1");
    expect(nextAction(retried).kind).toBe("pay");
  });

  it("ignores events that do not fit the current step", () => {
    const s = paid();
    expect(checkoutReducer(s, { type: "ENROLLMENT_SUCCEEDED", enrollmentId: "x" })).toBe(s);
    expect(checkoutReducer(s, { type: "NOTIFICATION_SUCCEEDED" })).toBe(s);
    expect(checkoutReducer(s, { type: "RETRY" })).toBe(s);
    expect(isCheckoutState({ version: 1 })).toBe(false);
  });
});
