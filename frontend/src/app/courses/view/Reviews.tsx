"use client";
import { type FormEvent, useState } from "react";
import { Alert, Button, EmptyState, ErrorState, Loading, Pagination, Stars, TextArea } from "@/components/ui";
import { api, ApiError, errorMessage } from "@/lib/api";
import { REVIEWS_PAGE_SIZE } from "@/lib/constants";
import { formatDate } from "@/lib/format";
import { useAsync } from "@/lib/hooks";

const RATING_WORDS = ["", "Poor", "Fair", "Good", "Very good", "Excellent"];

function ReviewForm({ courseId, onDone }: { courseId: string; onDone: () => void }) {
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [local, setLocal] = useState<Record<string, string>>({});

  const fields = { ...(error instanceof ApiError ? error.fieldErrors() : {}), ...local };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (rating < 1) problems.rating = "Choose a rating from 1 to 5 stars.";
    setLocal(problems);
    if (Object.keys(problems).length) return;
    setBusy(true);
    setError(null);
    try {
      await api.courses.addReview(courseId, { rating, comment: comment.trim() });
      setDone(true);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (done) return <Alert kind="success" title="Thanks for your review!">It now appears below.</Alert>;

  const already = error instanceof ApiError && error.status === 409;
  return (
    <form onSubmit={submit} className="space-y-4 rounded-xl border border-slate-200 bg-white p-5" aria-labelledby="review-form-title" id="review">
      <h3 id="review-form-title" className="font-semibold">
        Rate this course
      </h3>
      {error !== null && !Object.keys(fields).length && (
        <Alert kind={already ? "info" : "error"} title={already ? "You already reviewed this course" : "Could not save your review"}>
          {already ? "Each student can leave one review per course." : errorMessage(error)}
        </Alert>
      )}
      <fieldset>
        <legend className="mb-1 text-sm font-medium text-slate-700">Your rating</legend>
        <div
          className="flex items-center gap-1"
          role="radiogroup"
          aria-label="Rating"
          aria-invalid={fields.rating ? true : undefined}
          aria-describedby={fields.rating ? "review-rating-error" : undefined}
        >
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n} className="cursor-pointer rounded p-0.5 has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-brand-600">
              <input
                type="radio"
                name="rating"
                value={n}
                checked={rating === n}
                onChange={() => setRating(n)}
                className="sr-only"
                aria-label={`${n} star${n > 1 ? "s" : ""}, ${RATING_WORDS[n]}`}
              />
              <span aria-hidden="true" className={`text-3xl leading-none ${n <= rating ? "text-amber-600" : "text-slate-600 hover:text-amber-600"}`}>
                {n <= rating ? "★" : "☆"}
              </span>
            </label>
          ))}
          <span className="ml-2 text-sm text-slate-600">{RATING_WORDS[rating]}</span>
        </div>
        {fields.rating && (
          <p id="review-rating-error" className="mt-1 text-sm text-red-700">
            {fields.rating}
          </p>
        )}
      </fieldset>
      <TextArea
        label="Your review"
        name="comment"
        rows={4}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        placeholder="What did you like? What could be better?"
        error={fields.comment}
      />
      <Button type="submit" busy={busy}>
        Submit review
      </Button>
    </form>
  );
}

export function Reviews({
  courseId,
  canReview,
  userId,
  onReviewed,
}: {
  courseId: string;
  canReview: boolean;
  userId?: string;
  onReviewed: () => void;
}) {
  const [offset, setOffset] = useState(0);
  const reviews = useAsync(() => api.courses.reviews(courseId, REVIEWS_PAGE_SIZE, offset), [courseId, offset]);
  const [justReviewed, setJustReviewed] = useState(false);
  const mine = Boolean(userId && reviews.data?.items.some((r) => r.student_id === userId));

  return (
    <section className="mt-10" aria-labelledby="reviews-heading">
      <h2 id="reviews-heading" className="text-xl font-semibold">
        Reviews
      </h2>
      {canReview && (!mine || justReviewed) && (
        <div className="mt-4">
          <ReviewForm
            courseId={courseId}
            onDone={() => {
              setJustReviewed(true);
              setOffset(0);
              reviews.reload();
              onReviewed();
            }}
          />
        </div>
      )}
      {canReview && mine && !justReviewed && (
        <p className="mt-2 text-sm text-slate-600">You have reviewed this course — thank you!</p>
      )}
      <div className="mt-4">
        {reviews.error ? (
          <ErrorState error={reviews.error} onRetry={reviews.reload} title="Could not load reviews" />
        ) : !reviews.data ? (
          <Loading label="Loading reviews…" />
        ) : reviews.data.items.length === 0 ? (
          <EmptyState title="No reviews yet">{canReview ? "Be the first to review this course." : "Enrolled students can leave the first review."}</EmptyState>
        ) : (
          <>
            <ul className={`space-y-3 ${reviews.loading ? "opacity-60" : ""}`} data-testid="review-list">
              {reviews.data.items.map((r) => (
                <li key={r.id} className="rounded-xl border border-slate-200 bg-white p-4">
                  <div className="flex flex-wrap items-center justify-between gap-2">
                    <p className="font-medium">{r.student_name || "A student"}</p>
                    <p className="text-xs text-slate-600">{formatDate(r.created_at)}</p>
                  </div>
                  <p className="mt-1">
                    <Stars value={r.rating} />
                    <span className="sr-only">{r.rating} out of 5</span>
                  </p>
                  {r.comment && <p className="mt-2 whitespace-pre-line text-sm text-slate-700">{r.comment}</p>}
                </li>
              ))}
            </ul>
            <div className="mt-4">
              <Pagination total={reviews.data.total} limit={REVIEWS_PAGE_SIZE} offset={offset} onChange={setOffset} label="Review pages" />
            </div>
          </>
        )}
      </div>
    </section>
  );
}
