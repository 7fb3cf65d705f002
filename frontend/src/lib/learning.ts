import { api } from "./api";
import type { Curriculum, Enrollment, LessonSummary, Module } from "./types";

/** Modules and lessons in display order. */
export function orderedModules(c: Curriculum | undefined): Module[] {
  if (!c) return [];
  return [...c.modules]
    .sort((a, b) => a.position - b.position)
    .map((m) => ({ ...m, lessons: [...(m.lessons ?? [])].sort((a, b) => a.position - b.position) }));
}

export function flatLessons(modules: Module[]): LessonSummary[] {
  return modules.flatMap((m) => m.lessons);
}

/** Finds the caller's enrollment in a course (null when not enrolled). */
export async function findEnrollment(courseId: string): Promise<Enrollment | null> {
  let offset = 0;
  for (let page = 0; page < 20; page++) {
    const p = await api.enrollments.mine(100, offset);
    const hit = p.items.find((e) => e.course_id === courseId);
    if (hit) return hit;
    offset += p.items.length;
    if (p.items.length === 0 || offset >= p.total) return null;
  }
  return null;
}
