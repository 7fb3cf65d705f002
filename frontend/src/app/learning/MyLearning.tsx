"use client";
import Link from "next/link";
import { RequireAuth } from "@/components/RequireAuth";
import { EmptyState, ErrorState, LinkButton, Loading, PageHeader, ProgressBar } from "@/components/ui";
import { api } from "@/lib/api";
import { formatDate } from "@/lib/format";
import { useAsync } from "@/lib/hooks";
import { completedCount } from "@/lib/learning";
import type { Enrollment } from "@/lib/types";

interface Row {
  enrollment: Enrollment;
  title: string;
  teacher?: string | null;
  done: number;
  total: number;
}

/** Fills in what the enrollment list may not carry (title, totals) from the course and progress APIs. */
async function loadRows(): Promise<Row[]> {
  const page = await api.enrollments.mine(100, 0);
  return Promise.all(
    page.items.map(async (e) => {
      let title = e.course_title ?? "";
      let total = e.total_lessons;
      let done = completedCount(e);
      let teacher: string | null | undefined;
      if (!title || total === undefined) {
        const c = await api.courses.get(e.course_id).catch(() => null);
        if (c) {
          title ||= c.title;
          total ??= c.lesson_count;
          teacher = c.teacher_name;
        }
      }
      if (done === undefined || total === undefined) {
        const p = await api.courses.progress(e.course_id).catch(() => null);
        if (p) {
          done ??= p.completed_count ?? p.completed_lesson_ids.length;
          total ??= p.total_lessons;
        }
      }
      return { enrollment: e, title: title || "Untitled course", teacher, done: done ?? 0, total: total ?? 0 };
    }),
  );
}

function List() {
  const rows = useAsync(loadRows, []);
  if (rows.loading && !rows.data) return <Loading label="Loading your courses…" />;
  if (rows.error) return <ErrorState error={rows.error} onRetry={rows.reload} title="Could not load your courses" />;
  const items = rows.data ?? [];
  if (items.length === 0) {
    return (
      <EmptyState title="You are not enrolled in any course yet" action={<LinkButton href="/">Browse the catalog</LinkButton>}>
        Find a course you like and enroll — free courses start right away.
      </EmptyState>
    );
  }
  return (
    <ul className="grid gap-4 md:grid-cols-2" data-testid="enrollment-list">
      {items.map((r) => {
        const complete = r.total > 0 && r.done >= r.total;
        const cid = encodeURIComponent(r.enrollment.course_id);
        return (
          <li key={r.enrollment.id} className="flex flex-col rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <h2 className="font-semibold">
              <Link href={`/courses/view/?id=${cid}`} className="hover:underline">
                {r.title}
              </Link>
            </h2>
            <p className="text-xs text-slate-500">
              {r.teacher ? `by ${r.teacher} · ` : ""}enrolled {formatDate(r.enrollment.created_at)}
            </p>
            <div className="mt-4">
              <ProgressBar value={Math.min(r.done, r.total || r.done)} total={r.total} label={`Progress in ${r.title}`} />
            </div>
            <div className="mt-4 flex flex-wrap gap-2">
              <LinkButton href={`/learn/?course=${cid}`} size="sm">
                {complete ? "Review lessons" : r.done > 0 ? "Continue" : "Start"}
              </LinkButton>
              {complete && (
                <LinkButton href={`/courses/view/?id=${cid}#review`} size="sm" variant="secondary">
                  Leave a review
                </LinkButton>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

export function MyLearning() {
  return (
    <div>
      <PageHeader title="My learning">Your courses and how far you got.</PageHeader>
      <RequireAuth>{() => <List />}</RequireAuth>
    </div>
  );
}
