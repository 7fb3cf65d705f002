"use client";
import Link from "next/link";
import { RequireAuth } from "@/components/RequireAuth";
import { EmptyState, ErrorState, LinkButton, Loading, PageHeader, ProgressBar } from "@/components/ui";
import { api } from "@/lib/api";
import { formatDate } from "@/lib/format";
import { useAsync } from "@/lib/hooks";
import type { Enrollment } from "@/lib/types";

interface Row {
  enrollment: Enrollment;
  title: string;
  teacher?: string | null;
  done: number;
  total: number;
}

/**
 * The enrollments carry the progress (`completed_lessons`); the courses carry title, teacher and
 * lesson count. When the course API fails the whole list fails: a card without its course would
 * show made-up numbers.
 */
async function loadRows(): Promise<Row[]> {
  const page = await api.enrollments.mine(100, 0);
  const courses = await Promise.all(page.items.map((e) => api.courses.get(e.course_id)));
  return page.items.map((enrollment, i) => {
    const course = courses[i]!;
    return {
      enrollment,
      title: course.title,
      teacher: course.teacher_name,
      done: enrollment.completed_lessons,
      total: course.lesson_count,
    };
  });
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
