import Link from "next/link";
import { levelLabel } from "@/lib/constants";
import { formatPrice, formatRating, pluralize, ratingText } from "@/lib/format";
import type { Course } from "@/lib/types";
import { Badge, Stars } from "./ui";

const LEVEL_TONE = { beginner: "green", intermediate: "blue", advanced: "amber" } as const;

export function CourseCard({ course }: { course: Course }) {
  return (
    <li className="group relative flex flex-col rounded-xl border border-slate-200 bg-white p-4 shadow-sm transition hover:border-brand-600/50 hover:shadow-md focus-within:ring-2 focus-within:ring-brand-600">
      <div className="mb-2 flex flex-wrap items-center gap-1.5">
        <Badge>{course.category}</Badge>
        <Badge tone={LEVEL_TONE[course.level] ?? "slate"}>{levelLabel(course.level)}</Badge>
      </div>
      <h2 className="text-base font-semibold leading-snug text-slate-900">
        <Link href={`/courses/view/?id=${encodeURIComponent(course.id)}`} className="after:absolute after:inset-0 focus-visible:outline-none">
          {course.title}
        </Link>
      </h2>
      {course.teacher_name && <p className="mt-1 text-sm text-slate-600">by {course.teacher_name}</p>}
      <p className="mt-2 line-clamp-2 text-sm text-slate-600">{course.description}</p>
      <div className="mt-auto flex items-end justify-between gap-2 pt-4">
        <div className="text-sm text-slate-600">
          <span className="flex items-center gap-1">
            <Stars value={course.rating_avg} />
            <span aria-hidden="true" className="font-medium text-slate-800">
              {formatRating(course.rating_avg)}
            </span>
            <span aria-hidden="true" className="text-slate-600">
              ({course.review_count})
            </span>
            <span className="sr-only">{ratingText(course.rating_avg, course.review_count)}</span>
          </span>
          <span className="text-xs text-slate-600">{pluralize(course.lesson_count, "lesson")}</span>
        </div>
        <span className={`text-base font-bold ${course.price_cents ? "text-slate-900" : "text-emerald-700"}`}>
          {formatPrice(course.price_cents, course.currency)}
        </span>
      </div>
    </li>
  );
}
