"use client";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { Alert, Badge, EmptyState, ErrorState, LinkButton, Loading, Stars } from "@/components/ui";
import { api } from "@/lib/api";
import { levelLabel } from "@/lib/constants";
import { useAuth } from "@/lib/auth";
import { loadCheckout } from "@/lib/checkout-storage";
import { formatDate, formatPrice, formatRating, pluralize, ratingText } from "@/lib/format";
import { useAsync, useDocumentTitle } from "@/lib/hooks";
import { findEnrollment, orderedModules } from "@/lib/learning";
import type { CourseDetail, User } from "@/lib/types";
import { Reviews } from "./Reviews";

function EnrollAction({ course, user, enrolled }: { course: CourseDetail; user: User | null; enrolled: boolean | undefined }) {
  const [pending, setPending] = useState(false);
  useEffect(() => {
    if (user) {
      const saved = loadCheckout(user.id, course.id);
      setPending(Boolean(saved && saved.step !== "done"));
    }
  }, [user, course.id]);

  const checkoutHref = `/checkout/?course=${encodeURIComponent(course.id)}`;
  const price = formatPrice(course.price_cents, course.currency);

  if (!user) {
    return (
      <LinkButton
        href={`/login/?next=${encodeURIComponent(`/courses/view/?id=${course.id}`)}`}
        size="lg"
        className="w-full"
        data-testid="enroll-button"
      >
        Log in to {course.price_cents ? `buy for ${price}` : "enroll for free"}
      </LinkButton>
    );
  }
  if (course.teacher_id === user.id) {
    return (
      <LinkButton href={`/teacher/course/?id=${encodeURIComponent(course.id)}`} size="lg" className="w-full" variant="secondary">
        Edit your course
      </LinkButton>
    );
  }
  if (enrolled === undefined) {
    return (
      <div className="h-12 w-full animate-pulse rounded-lg bg-slate-200" role="status" aria-label="Checking enrollment" />
    );
  }
  if (enrolled) {
    return (
      <LinkButton href={`/learn/?course=${encodeURIComponent(course.id)}`} size="lg" className="w-full" data-testid="enroll-button">
        Continue learning
      </LinkButton>
    );
  }
  return (
    <LinkButton href={checkoutHref} size="lg" className="w-full" data-testid="enroll-button">
      {pending ? "Resume checkout" : course.price_cents ? `Buy for ${price}` : "Enroll for free"}
    </LinkButton>
  );
}

export function CourseView() {
  const id = useSearchParams().get("id") ?? "";
  const { user, status } = useAuth();
  const course = useAsync(() => api.courses.get(id), [id], Boolean(id));
  const curriculum = useAsync(() => api.courses.curriculum(id), [id], Boolean(id));
  const isOwner = Boolean(user && course.data && course.data.teacher_id === user.id);
  // Only students enroll: their enrollment is read beside the course, not after it.
  const enrollment = useAsync(() => findEnrollment(id), [id, user?.id], Boolean(id && user?.role === "student"));
  useDocumentTitle(course.data?.title);

  if (!id) return <ErrorState error={new Error("No course was given.")} title="Course not found" page />;
  if (course.loading && !course.data) return <Loading label="Loading course…" />;
  if (course.error || !course.data) return <ErrorState error={course.error} onRetry={course.reload} title="Could not load the course" page />;

  const c = course.data;
  const modules = orderedModules(curriculum.data);
  const enrolled: boolean | undefined =
    !user || isOwner
      ? false
      : status === "loading" || enrollment.loading || (enrollment.data === undefined && !enrollment.error)
        ? undefined
        : Boolean(enrollment.data);
  const totalMinutes = modules.flatMap((m) => m.lessons).reduce((s, l) => s + (l.duration_minutes || 0), 0);

  return (
    <article>
      <nav aria-label="Breadcrumb" className="mb-4 text-sm text-slate-600">
        <Link href="/" className="hover:underline">
          Catalog
        </Link>{" "}
        / <span>{c.category}</span>
      </nav>

      <div className="grid grid-cols-[minmax(0,1fr)] gap-8 lg:grid-cols-[minmax(0,1fr)_320px]">
        <div className="min-w-0 lg:col-start-1">
          <div className="mb-3 flex flex-wrap gap-1.5">
            <Badge>{c.category}</Badge>
            <Badge tone="blue">{levelLabel(c.level)}</Badge>
            {!c.is_published && <Badge tone="amber">Draft</Badge>}
          </div>
          <h1 className="text-3xl font-bold tracking-tight">{c.title}</h1>
          <p className="mt-2 text-slate-600">
            {c.teacher_name ? (
              <>
                Taught by <span className="font-medium text-slate-800">{c.teacher_name}</span>
              </>
            ) : (
              "Independent course"
            )}
            {c.created_at && <> · since {formatDate(c.created_at)}</>}
          </p>
          <p className="mt-3 flex flex-wrap items-center gap-2 text-sm">
            <Stars value={c.rating_avg} />
            <span aria-hidden="true" className="font-semibold">
              {formatRating(c.rating_avg)}
            </span>
            <span aria-hidden="true" className="text-slate-600">
              ({pluralize(c.review_count, "review")})
            </span>
            <span className="sr-only">{ratingText(c.rating_avg, c.review_count)}</span>
          </p>

          <section className="mt-6">
            <h2 className="sr-only">About this course</h2>
            <div className="space-y-3 whitespace-pre-line text-slate-700">{c.description}</div>
          </section>
        </div>
        <aside className="lg:sticky lg:top-20 lg:col-start-2 lg:row-span-2 lg:row-start-1 lg:self-start">
          <div className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <p className={`text-3xl font-bold ${c.price_cents ? "" : "text-emerald-700"}`} data-testid="course-price">
              {formatPrice(c.price_cents, c.currency)}
            </p>
            <div className="mt-4">
              <EnrollAction course={c} user={user} enrolled={enrolled} />
            </div>
            {enrollment.error ? (
              <p className="mt-2 text-xs text-slate-600">Could not check your enrollments; you can still continue.</p>
            ) : null}
            <ul className="mt-5 space-y-1.5 text-sm text-slate-600">
              <li>{pluralize(c.module_count, "module")}</li>
              <li>{pluralize(c.lesson_count, "lesson")}</li>
              <li>{levelLabel(c.level)} level</li>
            </ul>
          </div>
          {enrolled && (
            <div className="mt-4">
              <Alert kind="success" title="You are enrolled">
                Pick up where you left off any time from My learning.
              </Alert>
            </div>
          )}
        </aside>
        <div className="min-w-0 lg:col-start-1">

          <section aria-labelledby="curriculum-heading">
            <h2 id="curriculum-heading" className="text-xl font-semibold">
              Curriculum
            </h2>
            <p className="mt-1 text-sm text-slate-600">
              {pluralize(modules.length, "module")} · {pluralize(modules.reduce((s, m) => s + m.lessons.length, 0), "lesson")}
              {totalMinutes > 0 && ` · ${totalMinutes} min`}
            </p>
            {curriculum.error ? (
              <ErrorState error={curriculum.error} onRetry={curriculum.reload} title="Could not load the curriculum" />
            ) : curriculum.loading && !curriculum.data ? (
              <Loading label="Loading curriculum…" />
            ) : modules.length === 0 ? (
              <div className="mt-4">
                <EmptyState title="No lessons yet">The teacher has not added any modules yet.</EmptyState>
              </div>
            ) : (
              <ol className="mt-4 space-y-3">
                {modules.map((m, mi) => (
                  <li key={m.id} className="rounded-xl border border-slate-200 bg-white">
                    <h3 className="border-b border-slate-100 px-4 py-3 font-semibold">
                      <span className="text-slate-600">Module {mi + 1}.</span> {m.title}
                    </h3>
                    {m.lessons.length === 0 ? (
                      <p className="px-4 py-3 text-sm text-slate-600">No lessons yet.</p>
                    ) : (
                      <ol className="divide-y divide-slate-100">
                        {m.lessons.map((l) => (
                          <li key={l.id} className="flex items-center justify-between gap-3 px-4 py-2.5 text-sm">
                            {enrolled ? (
                              <Link
                                href={`/learn/?course=${encodeURIComponent(c.id)}&lesson=${encodeURIComponent(l.id)}`}
                                className="text-brand-700 hover:underline"
                              >
                                {l.title}
                              </Link>
                            ) : (
                              <span>{l.title}</span>
                            )}
                            <span className="shrink-0 text-slate-600">{l.duration_minutes} min</span>
                          </li>
                        ))}
                      </ol>
                    )}
                  </li>
                ))}
              </ol>
            )}
          </section>

          <Reviews courseId={c.id} canReview={Boolean(enrolled)} userId={user?.id} onReviewed={course.reload} />
        </div>

      </div>
    </article>
  );
}
