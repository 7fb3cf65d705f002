"use client";
import Link from "next/link";
import { RequireAuth } from "@/components/RequireAuth";
import { EmptyState, ErrorState, LinkButton, Loading, PageHeader, ProgressBar } from "@/components/ui";
import { api, MAX_PAGE_SIZE } from "@/lib/api";
import { formatDate } from "@/lib/format";
import { useAsync } from "@/lib/hooks";
import type { Course, Enrollment } from "@/lib/types";

interface Row {
  enrollment: Enrollment;
  /** Null when the course is no longer published (the enrollment outlives it). */
  course: Course | null;
}

/**
 * The enrollments carry the progress (`completed_lessons`); their courses (title, teacher, lesson
 * count) come in one catalog request by id. When the course API fails the whole list fails: a
 * card without its course would show made-up numbers.
 */
async function loadRows(): Promise<Row[]> {
  const page = await api.enrollments.mine(MAX_PAGE_SIZE, 0);
  if (page.items.length === 0) return [];
  const courses = await api.courses.byIds(page.items.map((e) => e.course_id));
  const byId = new Map(courses.items.map((c) => [c.id, c]));
  return page.items.map((enrollment) => ({ enrollment, course: byId.get(enrollment.course_id) ?? null }));
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
      {items.map(({ enrollment, course }) => {
        const cid = encodeURIComponent(enrollment.course_id);
        if (!course) {
          return (
            <li key={enrollment.id} className="flex flex-col rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
              <h2 className="font-semibold">A course that is no longer available</h2>
              <p className="mt-1 text-sm text-slate-700">
                Its teacher took it out of the catalog. You enrolled {formatDate(enrollment.created_at)}.
              </p>
            </li>
          );
        }
        const done = Math.min(enrollment.completed_lessons, course.lesson_count);
        const complete = course.lesson_count > 0 && done >= course.lesson_count;
        return (
          <li key={enrollment.id} className="flex flex-col rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <h2 className="font-semibold">
              <Link href={`/courses/view/?id=${cid}`} className="hover:underline">
                {course.title}
              </Link>
            </h2>
            <p className="text-xs text-slate-700">
              by {course.teacher_name} · enrolled {formatDate(enrollment.created_at)}
            </p>
            <div className="mt-4">
              <ProgressBar value={done} total={course.lesson_count} label={`Progress in ${course.title}`} />
            </div>
            <div className="mt-4 flex flex-wrap gap-2">
              <LinkButton href={`/learn/?course=${cid}`} size="sm">
                {complete ? "Review lessons" : done > 0 ? "Continue" : "Start"}
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
      <RequireAuth heading="h2">{() => <List />}</RequireAuth>
    </div>
  );
}
