"use client";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { RequireAuth } from "@/components/RequireAuth";
import { Alert, Button, ErrorState, LinkButton, Loading, TextField } from "@/components/ui";
import { api, ApiError } from "@/lib/api";
import {
  type CheckoutDeps,
  type CheckoutState,
  type CheckoutStep,
  checkoutReducer,
  describeFailure,
  runCheckout,
  startCheckout,
} from "@/lib/checkout";
import { clearCheckout, loadCheckout, newIdempotencyKey, saveCheckout } from "@/lib/checkout-storage";
import { formatPrice } from "@/lib/format";
import { announceNotificationsChanged, useAsync } from "@/lib/hooks";
import type { CourseDetail, User } from "@/lib/types";

const STEP_LABELS: Record<Exclude<CheckoutStep, "done">, string> = {
  payment: "Payment",
  enrollment: "Enrollment",
  notification: "Confirmation",
};

function Steps({ state, paid }: { state: CheckoutState | null; paid: boolean }) {
  const steps = (paid ? ["payment", "enrollment", "notification"] : ["enrollment", "notification"]) as Exclude<CheckoutStep, "done">[];
  const order: CheckoutStep[] = ["payment", "enrollment", "notification", "done"];
  const at = state ? order.indexOf(state.step) : order.indexOf(steps[0]!);
  return (
    <ol className="flex flex-wrap gap-2 text-sm" aria-label="Checkout steps">
      {steps.map((s, i) => {
        const idx = order.indexOf(s);
        const done = at > idx;
        const current = at === idx;
        const failed = current && state?.status === "failed";
        const running = current && state?.status === "running";
        return (
          <li
            key={s}
            aria-current={current ? "step" : undefined}
            data-step={s}
            data-state={done ? "done" : failed ? "failed" : running ? "running" : current ? "current" : "todo"}
            className={`flex items-center gap-2 rounded-full px-3 py-1 ${
              done
                ? "bg-emerald-100 text-emerald-800"
                : failed
                  ? "bg-red-100 text-red-800"
                  : current
                    ? "bg-brand-100 text-brand-800"
                    : "bg-slate-100 text-slate-600"
            }`}
          >
            <span aria-hidden="true">{done ? "✓" : failed ? "!" : i + 1}</span>
            {STEP_LABELS[s]}
            <span className="sr-only">{done ? "(done)" : failed ? "(failed)" : running ? "(in progress)" : ""}</span>
          </li>
        );
      })}
    </ol>
  );
}

/** Course detail carries no offer while the course is a draft: there is nothing to buy. */
function notForSale(): ApiError {
  return new ApiError(409, "course_not_for_sale", "This course is not open for enrollment.");
}

function Checkout({ user, courseId }: { user: User; courseId: string }) {
  const course = useAsync(() => api.courses.get(courseId), [courseId]);
  const [state, setState] = useState<CheckoutState | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [card, setCard] = useState("");
  const [cardError, setCardError] = useState<string | undefined>();
  const running = useRef(false);
  const autoStarted = useRef(false);

  useEffect(() => {
    setState(loadCheckout(user.id, courseId));
    setLoaded(true);
  }, [user.id, courseId]);

  const persist = useCallback(
    (s: CheckoutState) => {
      setState(s);
      if (s.step === "done") clearCheckout(user.id, s.courseId);
      else saveCheckout(user.id, s);
    },
    [user.id],
  );

  // After a step ends, focus goes where the person continues: "Start learning" when enrolled; the
  // card field when the payment was refused; else the retry button.
  const outcome = useRef<HTMLDivElement>(null);
  const lastStatus = useRef(state?.status);
  useEffect(() => {
    const status = state?.status;
    if (status === lastStatus.current) return;
    const ran = lastStatus.current === "running";
    lastStatus.current = status;
    if (!ran || !outcome.current) return;
    const target =
      status === "done"
        ? outcome.current.querySelector<HTMLElement>('[data-testid="start-learning"]')
        : status === "failed"
          ? (outcome.current.querySelector<HTMLElement>('input[name="card_number"]:not([disabled])') ??
            outcome.current.querySelector<HTMLElement>('[data-testid="retry-button"]'))
          : null;
    target?.focus();
  }, [state?.status]);

  const cardRef = useRef(card);
  cardRef.current = card;

  const run = useCallback(
    async (from: CheckoutState) => {
      if (running.current) return; // a double click never starts a second run
      running.current = true;
      const deps: CheckoutDeps = {
        pay: async (offer, key) => {
          const digits = cardRef.current.replace(/\D/g, "");
          const r = await api.payments.create({ offer, ...(digits ? { card_number: digits } : {}) }, key);
          return { paymentId: r.payment.id, receipt: r.receipt };
        },
        enroll: async ({ courseId: cid, receipt, offer }) => {
          const e = await api.enrollments.create(receipt ? { course_id: cid, receipt } : { course_id: cid, offer });
          return { enrollmentId: e?.id ?? null };
        },
        notify: async (n) => {
          await api.notifications.create(n);
          announceNotificationsChanged();
        },
        refreshOffer: async (cid) => {
          const c = await api.courses.get(cid);
          if (c.offer === null) throw notForSale();
          return { offer: c.offer, priceCents: c.price_cents, currency: c.currency };
        },
        findPayment: async (cid) => {
          const paid = await api.payments.mine({ status: "succeeded" });
          const earlier = paid.items.find((p) => p.course_id === cid && p.receipt);
          return earlier?.receipt ? { paymentId: earlier.id, receipt: earlier.receipt } : null;
        },
      };
      try {
        persist(from);
        await runCheckout(from, deps, persist);
      } finally {
        running.current = false;
      }
    },
    [persist],
  );

  const begin = useCallback(
    (c: CourseDetail) => {
      if (c.offer === null) return;
      const s = startCheckout({
        courseId: c.id,
        courseTitle: c.title,
        priceCents: c.price_cents,
        currency: c.currency,
        offer: c.offer,
        idempotencyKey: newIdempotencyKey(),
      });
      void run(s);
    },
    [run],
  );

  // A free course enrolls at once (the click on the course page was the confirmation).
  useEffect(() => {
    if (!loaded || state || autoStarted.current || !course.data) return;
    if (course.data.price_cents === 0) {
      autoStarted.current = true;
      begin(course.data);
    }
  }, [loaded, state, course.data, begin]);

  const validCard = () => {
    const digits = card.replace(/\D/g, "");
    if (digits && (digits.length < 12 || digits.length > 19)) {
      setCardError("Enter a card number of 12 to 19 digits.");
      return false;
    }
    setCardError(undefined);
    return true;
  };

  const onPay = (e: FormEvent) => {
    e.preventDefault();
    if (!course.data || !validCard()) return;
    if (state) {
      void run(checkoutReducer(state, { type: "RETRY" }));
    } else begin(course.data);
  };

  const retry = () => {
    if (!state) return;
    if (state.step === "payment" && !validCard()) return;
    void run(checkoutReducer(state, { type: "RETRY" }));
  };

  const cancel = () => {
    clearCheckout(user.id, courseId);
    setState(null);
  };

  if (course.loading && !course.data) return <Loading label="Loading checkout…" />;
  if (!course.data) return <ErrorState error={course.error} onRetry={course.reload} title="Could not load the course" page />;
  if (!loaded) return <Loading />;

  const c = course.data;
  if (!state && c.offer === null) {
    return <ErrorState error={notForSale()} title="This course is not open for enrollment" page />;
  }
  const priceCents = state?.priceCents ?? c.price_cents;
  const currency = state?.currency ?? c.currency;
  const paid = priceCents > 0;
  const busy = state?.status === "running";
  const failed = state?.status === "failed";
  const learnHref = `/learn/?course=${encodeURIComponent(c.id)}`;
  const showCard = paid && (!state || (state.step === "payment" && state.status !== "done"));

  return (
    <div className="mx-auto max-w-xl">
      <nav aria-label="Breadcrumb" className="mb-4 text-sm text-slate-600">
        <Link href={`/courses/view/?id=${encodeURIComponent(c.id)}`} className="hover:underline">
          ← Back to course
        </Link>
      </nav>
      <h1 className="text-2xl font-bold">{paid ? "Checkout" : "Enroll"}</h1>

      <div className="mt-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
        <div className="flex items-start justify-between gap-4">
          <div className="min-w-0">
            <p className="text-sm text-slate-600">Course</p>
            <p className="font-semibold">{c.title}</p>
            {c.teacher_name && <p className="text-sm text-slate-600">by {c.teacher_name}</p>}
          </div>
          <p className="shrink-0 text-xl font-bold" data-testid="checkout-price">
            {formatPrice(priceCents, currency)}
          </p>
        </div>
        <div className="mt-4">
          <Steps state={state} paid={paid} />
        </div>
      </div>

      {/* No live region around these: each alert announces itself once (role alert/status). */}
      <div className="mt-4 space-y-4" ref={outcome}>
        {state?.status === "done" ? (
          <Alert
            kind="success"
            title={state.alreadyEnrolled ? "You were already enrolled" : "You're enrolled!"}
            action={
              <LinkButton href={learnHref} data-testid="start-learning">
                Start learning
              </LinkButton>
            }
          >
            {state.alreadyEnrolled
              ? "You already have access to this course."
              : `${paid && state.paymentId ? "Payment received. " : ""}A confirmation is in your notifications.`}
          </Alert>
        ) : null}

        {failed && state && (
          <div data-testid="checkout-error">
            <Alert
              title={
                state.error?.code === "price_changed"
                  ? "The price changed"
                  : state.error?.step === "payment"
                  ? state.error.status === 402
                    ? "Payment declined"
                    : "Payment did not go through"
                  : state.error?.step === "enrollment"
                    ? "Enrollment did not finish"
                    : "Almost done"
              }
            >
              {describeFailure(state)}
            </Alert>
          </div>
        )}

        {busy && (
          <div role="status" className="flex items-center gap-3 text-sm text-slate-600">
            <span className="inline-block h-4 w-4 animate-spin rounded-full border-2 border-brand-600 border-r-transparent" aria-hidden="true" />
            {state?.step === "payment" ? "Processing payment…" : state?.step === "enrollment" ? "Enrolling you…" : "Sending confirmation…"}
          </div>
        )}

        {showCard && (
          <form onSubmit={onPay} className="space-y-4 rounded-xl border border-slate-200 bg-white p-5" noValidate>
            <TextField
              label="Card number"
              name="card_number"
              inputMode="numeric"
              autoComplete="cc-number"
              placeholder="4242 4242 4242 4242"
              value={card}
              onChange={(e) => setCard(e.target.value)}
              error={cardError ?? (state?.error?.code === "card_declined" ? "This card was declined. Try another card." : undefined)}
              disabled={busy}
              hint={
                <>
                  Demo payments: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined. Leave empty for the default test card.
                </>
              }
            />
            {!failed && (
              <Button type="submit" size="lg" className="w-full" busy={busy} data-testid="pay-button">
                Pay {formatPrice(priceCents, currency)}
              </Button>
            )}
            {failed && (
              <div className="flex flex-wrap gap-2">
                <Button type="submit" busy={busy} data-testid="retry-button">
                  {state?.error?.code === "price_changed"
                    ? `Pay ${formatPrice(priceCents, currency)}`
                    : state?.error?.status === 402
                      ? "Try again"
                      : "Retry payment"}
                </Button>
                {!state?.paymentId && (
                  <Button variant="ghost" onClick={cancel}>
                    Cancel
                  </Button>
                )}
                {state?.error?.code === "already_paid" && (
                  <LinkButton href="/learning/" variant="secondary">
                    My learning
                  </LinkButton>
                )}
              </div>
            )}
          </form>
        )}

        {!showCard && failed && state && (
          <div className="flex flex-wrap gap-2">
            <Button onClick={retry} busy={busy} data-testid="retry-button">
              Retry {STEP_LABELS[state.error?.step ?? "enrollment"].toLowerCase()}
            </Button>
            {state.step === "notification" && (
              <Button variant="secondary" onClick={() => persist(checkoutReducer(state, { type: "SKIP_NOTIFICATION" }))}>
                Skip and start learning
              </Button>
            )}
          </div>
        )}

        {!paid && !state && (
          <Button size="lg" className="w-full" onClick={() => begin(c)} data-testid="pay-button">
            Enroll for free
          </Button>
        )}

        {state?.paymentId && state.status !== "done" && (
          <p className="text-xs text-slate-600">
            Payment reference: <code>{state.paymentId}</code>. Retrying will not charge you again.
          </p>
        )}
      </div>
    </div>
  );
}

function CheckoutInner() {
  const courseId = useSearchParams().get("course") ?? "";
  if (!courseId) return <ErrorState error={new Error("No course was given.")} title="Nothing to check out" page />;
  return <RequireAuth>{(user) => <Checkout user={user} courseId={courseId} />}</RequireAuth>;
}

export function CheckoutView() {
  return <CheckoutInner />;
}
