"use client";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { RequireAuth } from "@/components/RequireAuth";
import { Alert, Button, ErrorState, LinkButton, Loading, ProgressBar } from "@/components/ui";
import { api, ApiError, errorMessage } from "@/lib/api";
import { useAsync, useDocumentTitle } from "@/lib/hooks";
import { flatLessons, orderedModules } from "@/lib/learning";

function lessonHref(courseId: string, lessonId: string) {
  return `/learn/?course=${encodeURIComponent(courseId)}&lesson=${encodeURIComponent(lessonId)}`;
}

function Content({ text }: { text: string }) {
  const paragraphs = text.split(/\n{2,}/).filter((p) => p.trim());
  if (!paragraphs.length) return <p className="text-slate-600">This lesson has no text.</p>;
  return (
    <div className="space-y-4 leading-relaxed text-slate-800">
      {paragraphs.map((p, i) => (
        <p key={i} className="whitespace-pre-line">
          {p}
        </p>
      ))}
    </div>
  );
}

function Viewer({ courseId, lessonParam }: { courseId: string; lessonParam: string | null }) {
  const router = useRouter();
  const course = useAsync(() => api.courses.get(courseId), [courseId]);
  const curriculum = useAsync(() => api.courses.curriculum(courseId), [courseId]);
  const progress = useAsync(() => api.courses.progress(courseId), [courseId]);
  const [completed, setCompleted] = useState<Set<string>>(new Set());
  const [marking, setMarking] = useState(false);
  const [markError, setMarkError] = useState<unknown>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  // The button that was pressed is replaced by "Completed": focus moves on to where the student
  // goes next (the next lesson, else the review), or to the status itself.
  const [justCompleted, setJustCompleted] = useState<string | null>(null);
  const actions = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!justCompleted || !actions.current) return;
    const target =
      actions.current.querySelector<HTMLElement>('[data-testid="next-lesson"]') ??
      actions.current.querySelector<HTMLElement>('[data-testid="leave-review"]') ??
      actions.current.querySelector<HTMLElement>('[data-testid="lesson-completed"]');
    target?.focus();
    setJustCompleted(null);
  }, [justCompleted]);

  useEffect(() => {
    if (progress.data) setCompleted(new Set(progress.data.completed_lesson_ids ?? []));
  }, [progress.data]);

  const modules = useMemo(() => orderedModules(curriculum.data), [curriculum.data]);
  const lessons = useMemo(() => flatLessons(modules), [modules]);
  const currentId =
    lessonParam && lessons.some((l) => l.id === lessonParam)
      ? lessonParam
      : (lessons.find((l) => !completed.has(l.id)) ?? lessons[0])?.id;
  const index = lessons.findIndex((l) => l.id === currentId);
  const prev = index > 0 ? lessons[index - 1] : undefined;
  const next = index >= 0 && index < lessons.length - 1 ? lessons[index + 1] : undefined;

  // The lesson named in the URL loads beside the curriculum (not after it); a name the curriculum
  // does not hold gives way to the computed lesson once the curriculum is known.
  const wantedId = lessonParam && (!curriculum.data || lessons.some((l) => l.id === lessonParam)) ? lessonParam : currentId;
  const lesson = useAsync(() => api.lessons.get(wantedId!, courseId), [wantedId, courseId], Boolean(wantedId));
  useDocumentTitle(lesson.data && course.data ? `${lesson.data.title} · ${course.data.title}` : course.data?.title);

  // Without a lesson in the URL, open the first unfinished one and pin it in the URL, so that
  // marking it complete does not jump to the next one.
  const progressSettled = progress.data !== undefined || progress.error !== null;
  useEffect(() => {
    if (!lessonParam && currentId && progressSettled) {
      router.replace(lessonHref(courseId, currentId), { scroll: false });
    }
  }, [lessonParam, currentId, progressSettled, courseId, router]);

  // Moving between lessons puts focus on the new lesson's title (for keyboard and screen-reader users).
  const previousLesson = useRef(lessonParam);
  useEffect(() => {
    setMarkError(null);
    if (previousLesson.current && lessonParam && previousLesson.current !== lessonParam) headingRef.current?.focus();
    previousLesson.current = lessonParam;
  }, [currentId, lessonParam]);

  if ((curriculum.loading && !curriculum.data) || (!lessonParam && !progressSettled)) {
    return <Loading label="Loading course…" />;
  }
  if (curriculum.error) return <ErrorState error={curriculum.error} onRetry={curriculum.reload} title="Could not load the course" page />;

  const notEnrolled = progress.error instanceof ApiError && (progress.error.status === 403 || progress.error.status === 404);
  if (notEnrolled) {
    return (
      <div className="mx-auto max-w-lg py-10">
        <Alert
          kind="info"
          title="You are not enrolled in this course"
          heading="h1"
          action={<LinkButton href={`/courses/view/?id=${encodeURIComponent(courseId)}`}>See the course</LinkButton>}
        >
          Enroll to open its lessons and track your progress.
        </Alert>
      </div>
    );
  }

  if (lessons.length === 0) {
    return (
      <Alert kind="info" title="No lessons yet">
        The teacher has not added lessons to this course yet.
      </Alert>
    );
  }

  const total = lessons.length;
  const doneCount = lessons.filter((l) => completed.has(l.id)).length;
  const isDone = currentId ? completed.has(currentId) : false;
  const allDone = doneCount >= lessons.length;
  const title = course.data?.title ?? "Course";

  const markComplete = async () => {
    if (!currentId) return;
    setMarking(true);
    setMarkError(null);
    try {
      await api.enrollments.complete({ course_id: courseId, lesson_id: currentId });
      setCompleted((s) => new Set(s).add(currentId));
      setJustCompleted(currentId);
    } catch (err) {
      setMarkError(err);
    } finally {
      setMarking(false);
    }
  };

  const outline = (
    <nav aria-label="Course contents">
      <ol className="space-y-4">
        {modules.map((m, mi) => (
          <li key={m.id}>
            <p className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600">
              {mi + 1}. {m.title}
            </p>
            <ol className="space-y-0.5">
              {m.lessons.map((l) => {
                const active = l.id === currentId;
                const done = completed.has(l.id);
                return (
                  <li key={l.id}>
                    <Link
                      href={lessonHref(courseId, l.id)}
                      aria-current={active ? "page" : undefined}
                      className={`flex items-start gap-2 rounded-lg px-2 py-1.5 text-sm ${
                        active ? "bg-brand-50 font-medium text-brand-800" : "text-slate-700 hover:bg-slate-100"
                      }`}
                    >
                      <span
                        aria-hidden="true"
                        className={`mt-0.5 grid h-4 w-4 shrink-0 place-items-center rounded-full text-[10px] ${
                          done ? "bg-emerald-500 text-white" : "border border-slate-300"
                        }`}
                      >
                        {done ? "✓" : ""}
                      </span>
                      <span className="min-w-0">{l.title}</span>
                      <span className="sr-only">{done ? "(completed)" : ""}</span>
                    </Link>
                  </li>
                );
              })}
            </ol>
          </li>
        ))}
      </ol>
    </nav>
  );

  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-[280px_minmax(0,1fr)]">

      <section
        ref={actions}
        className="min-w-0 rounded-xl border border-slate-200 bg-white p-5 shadow-sm sm:p-8 lg:col-start-2 lg:row-start-1"
        aria-labelledby="lesson-title"
      >
        <p className="text-sm text-slate-600">
          Lesson {index + 1} of {lessons.length}
          {lessons[index] && ` · ${lessons[index].duration_minutes} min`}
        </p>
        <h1 id="lesson-title" ref={headingRef} tabIndex={-1} className="mt-1 text-2xl font-bold focus:outline-none">
          {lesson.data?.title ?? lessons[index]?.title}
        </h1>
        <div className="mt-6 min-h-32">
          {lesson.loading && !lesson.data ? (
            <Loading label="Loading lesson…" />
          ) : lesson.error ? (
            <ErrorState error={lesson.error} onRetry={lesson.reload} title="Could not load this lesson" />
          ) : lesson.data ? (
            <Content text={lesson.data.content ?? ""} />
          ) : null}
        </div>

        {markError !== null && (
          <div className="mt-6">
            <Alert title="Could not mark the lesson complete">{errorMessage(markError)}</Alert>
          </div>
        )}

        <div className="mt-8 flex flex-col gap-3 border-t border-slate-100 pt-6 sm:flex-row sm:items-center sm:justify-between">
          <div className="flex gap-2">
            {prev ? (
              <LinkButton href={lessonHref(courseId, prev.id)} variant="secondary" aria-label={`Previous lesson: ${prev.title}`}>
                ← Previous
              </LinkButton>
            ) : (
              <Button variant="secondary" disabled>
                ← Previous
              </Button>
            )}
            {next ? (
              <LinkButton href={lessonHref(courseId, next.id)} variant="secondary" aria-label={`Next lesson: ${next.title}`}>
                Next →
              </LinkButton>
            ) : (
              <Button variant="secondary" disabled>
                Next →
              </Button>
            )}
          </div>
          {isDone ? (
            <p role="status" tabIndex={-1} className="flex items-center gap-2 text-sm font-medium text-emerald-700" data-testid="lesson-completed">
              <span aria-hidden="true">✓</span> Completed
            </p>
          ) : (
            <Button
              onClick={async () => {
                await markComplete();
              }}
              busy={marking}
              data-testid="mark-complete"
            >
              Mark complete
            </Button>
          )}
        </div>
        {isDone && next && (
          <div className="mt-4 text-right">
            <LinkButton href={lessonHref(courseId, next.id)} variant="ghost" size="sm" data-testid="next-lesson">
              Go to the next lesson →
            </LinkButton>
          </div>
        )}
        {allDone && (
          <div className="mt-6">
            <Alert
              kind="success"
              title="You completed every lesson!"
              action={
                <LinkButton href={`/courses/view/?id=${encodeURIComponent(courseId)}#review`} data-testid="leave-review">
                  Leave a review
                </LinkButton>
              }
            >
              Tell other students what you thought of the course.
            </Alert>
          </div>
        )}
      </section>
      <aside className="lg:col-start-1 lg:row-start-1 lg:sticky lg:top-20 lg:max-h-[calc(100vh-6rem)] lg:self-start lg:overflow-y-auto">
        <Link href={`/courses/view/?id=${encodeURIComponent(courseId)}`} className="text-sm text-brand-700 hover:underline">
          ← {title}
        </Link>
        <div className="mt-3">
          <ProgressBar value={doneCount} total={Math.max(total, doneCount)} label="Course progress" />
        </div>
        <details className="mt-4 rounded-xl border border-slate-200 bg-white p-3 lg:hidden">
          <summary className="cursor-pointer text-sm font-medium">Course contents</summary>
          <div className="mt-3">{outline}</div>
        </details>
        <div className="mt-4 hidden rounded-xl border border-slate-200 bg-white p-3 lg:block">{outline}</div>
      </aside>
    </div>
  );
}

export function LessonViewer() {
  const params = useSearchParams();
  const courseId = params.get("course") ?? "";
  if (!courseId) {
    return (
      <Alert kind="info" title="Pick a course" action={<LinkButton href="/learning/">My learning</LinkButton>}>
        Open a course from My learning to continue.
      </Alert>
    );
  }
  return <RequireAuth>{() => <Viewer courseId={courseId} lessonParam={params.get("lesson")} />}</RequireAuth>;
}
