"use client";
import Link from "next/link";
import { useState } from "react";
import { RequireAuth } from "@/components/RequireAuth";
import { Alert, Badge, Button, EmptyState, ErrorState, LinkButton, Loading, PageHeader, Stars } from "@/components/ui";
import { api, errorMessage } from "@/lib/api";
import { formatPrice, formatRating, pluralize } from "@/lib/format";
import { useAsync } from "@/lib/hooks";
import type { User } from "@/lib/types";
import { VerificationBanner } from "./VerificationBanner";

function Dashboard({ user }: { user: User }) {
  const courses = useAsync(() => api.courses.mine(), [user.id]);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const remove = async (id: string, title: string) => {
    if (!window.confirm(`Delete "${title}"? Its modules and lessons are deleted too.`)) return;
    setDeleting(id);
    setError(null);
    try {
      await api.courses.remove(id);
      courses.reload();
    } catch (err) {
      setError(err);
    } finally {
      setDeleting(null);
    }
  };

  return (
    <div>
      <PageHeader
        title="My courses"
        actions={
          <LinkButton href="/teacher/course/" data-testid="new-course">
            + New course
          </LinkButton>
        }
      >
        {user.is_verified ? (
          <span className="inline-flex items-center gap-2">
            <Badge tone="green">Verified teacher</Badge> You can publish courses to the catalog.
          </span>
        ) : (
          "Create and edit your courses."
        )}
      </PageHeader>
      <VerificationBanner user={user} />
      {error !== null && (
        <div className="mb-4">
          <Alert title="Could not delete the course">{errorMessage(error)}</Alert>
        </div>
      )}
      {courses.loading && !courses.data ? (
        <Loading label="Loading your courses…" />
      ) : courses.error ? (
        <ErrorState error={courses.error} onRetry={courses.reload} title="Could not load your courses" />
      ) : !courses.data?.items.length ? (
        <EmptyState title="No courses yet" action={<LinkButton href="/teacher/course/">Create your first course</LinkButton>}>
          A course has modules, and each module has lessons. Start with the basics — you can reorder everything later.
        </EmptyState>
      ) : (
        <ul className="grid gap-4 md:grid-cols-2" data-testid="teacher-courses">
          {courses.data.items.map((c) => (
            <li key={c.id} className="flex flex-col rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
              <div className="flex items-start justify-between gap-3">
                <h2 className="font-semibold">{c.title}</h2>
                {c.is_published ? <Badge tone="green">Published</Badge> : <Badge tone="amber">Draft</Badge>}
              </div>
              <p className="mt-1 text-sm text-slate-600">
                {c.category} · <span className="capitalize">{c.level}</span> · {formatPrice(c.price_cents, c.currency)}
              </p>
              <p className="mt-1 flex items-center gap-1 text-sm text-slate-600">
                <Stars value={c.rating_avg} /> {formatRating(c.rating_avg)} ({c.review_count}) ·{" "}
                {pluralize(c.module_count, "module")} · {pluralize(c.lesson_count, "lesson")}
              </p>
              <div className="mt-4 flex flex-wrap gap-2">
                <LinkButton href={`/teacher/course/?id=${encodeURIComponent(c.id)}`} size="sm">
                  Edit
                </LinkButton>
                <Link
                  href={`/courses/view/?id=${encodeURIComponent(c.id)}`}
                  className="rounded-lg px-2.5 py-1.5 text-sm font-medium text-brand-700 hover:bg-brand-50"
                >
                  View
                </Link>
                <Button
                  size="sm"
                  variant="danger"
                  className="ml-auto"
                  busy={deleting === c.id}
                  onClick={() => remove(c.id, c.title)}
                  aria-label={`Delete ${c.title}`}
                >
                  Delete
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function TeacherDashboard() {
  return <RequireAuth roles={["teacher"]}>{(user) => <Dashboard user={user} />}</RequireAuth>;
}
