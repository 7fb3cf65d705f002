"use client";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { RequireAuth } from "@/components/RequireAuth";
import { Alert, Button, ErrorState, ErrorSummary, Loading, SelectField, TextArea, TextField, useFocusFirstInvalid } from "@/components/ui";
import { api, ApiError, errorMessage } from "@/lib/api";
import { CATEGORIES, CURRENCIES, LEVELS } from "@/lib/constants";
import { centsToMoneyText, parseMoneyToCents } from "@/lib/format";
import { useAsync, useDocumentTitle } from "@/lib/hooks";
import type { CourseDetail, CourseInput, Level, User } from "@/lib/types";
import { VerificationBanner } from "../VerificationBanner";
import { CurriculumEditor } from "./CurriculumEditor";

interface FormState {
  title: string;
  description: string;
  category: string;
  level: Level;
  price: string;
  currency: string;
  is_published: boolean;
}

const EMPTY: FormState = {
  title: "",
  description: "",
  category: CATEGORIES[0],
  level: "beginner",
  price: "0",
  currency: "USD",
  is_published: false,
};

function fromCourse(c: CourseDetail): FormState {
  return {
    title: c.title,
    description: c.description,
    category: c.category,
    level: c.level,
    price: centsToMoneyText(c.price_cents),
    currency: c.currency || "USD",
    is_published: c.is_published,
  };
}

const FIELD_LABELS: Record<string, string> = {
  title: "Title",
  description: "Description",
  category: "Category",
  level: "Level",
  price: "Price",
  currency: "Currency",
  is_published: "Published in the catalog",
};

function CourseForm({ user, course, onSaved }: { user: User; course?: CourseDetail; onSaved: (id: string, created: boolean) => void }) {
  const [form, setForm] = useState<FormState>(course ? fromCourse(course) : EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const [attempt, setAttempt] = useState(0);
  useFocusFirstInvalid(formRef, attempt);

  useEffect(() => {
    if (course) setForm(fromCourse(course));
  }, [course]);

  const api422 = error instanceof ApiError ? error.fieldErrors() : {};
  const fields: Record<string, string | undefined> = { ...api422, price: api422.price_cents ?? api422.price, ...local };
  const shownFieldErrors = ["title", "description", "category", "level", "price", "currency", "is_published"].some((k) => fields[k]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!form.title.trim()) problems.title = "Give the course a title.";
    if (!form.description.trim()) problems.description = "Describe what students will learn.";
    const cents = parseMoneyToCents(form.price);
    if (cents === null) problems.price = "Enter a price like 19.99, or 0 for a free course.";
    setLocal(problems);
    setError(null);
    setSaved(false);
    if (Object.keys(problems).length || cents === null) {
      setAttempt((n) => n + 1);
      return;
    }
    const body: CourseInput = {
      title: form.title.trim(),
      description: form.description.trim(),
      category: form.category,
      level: form.level,
      price_cents: cents,
      currency: form.currency,
      is_published: user.is_verified ? form.is_published : false,
    };
    setBusy(true);
    try {
      const c = course ? await api.courses.update(course.id, body) : await api.courses.create(body);
      setSaved(true);
      onSaved(c.id ?? course?.id, !course);
    } catch (err) {
      setError(err);
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  const set = (k: keyof FormState) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const categories = CATEGORIES.includes(form.category as (typeof CATEGORIES)[number]) ? [...CATEGORIES] : [form.category, ...CATEGORIES];

  return (
    <form ref={formRef} onSubmit={submit} className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm sm:p-6" noValidate aria-label="Course details">
      {error !== null && !shownFieldErrors && <Alert title="Could not save the course">{errorMessage(error)}</Alert>}
      <ErrorSummary
        errors={Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => Boolean(e[1]) && e[0] in FIELD_LABELS))}
        labels={FIELD_LABELS}
      />
      {saved && !error && (
        <Alert kind="success" title="Saved">
          Your changes are saved.
        </Alert>
      )}
      <TextField label="Title" name="title" value={form.title} onChange={set("title")} error={fields.title} required maxLength={200} />
      <TextArea label="Description" name="description" rows={5} value={form.description} onChange={set("description")} error={fields.description} required />
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Category"
          name="category"
          value={form.category}
          onChange={set("category")}
          error={fields.category}
          options={categories.map((c) => ({ value: c, label: c }))}
        />
        <SelectField label="Level" name="level" value={form.level} onChange={set("level")} error={fields.level} options={LEVELS} />
        <TextField
          label="Price"
          name="price"
          inputMode="decimal"
          value={form.price}
          onChange={set("price")}
          error={fields.price}
          hint="0 makes the course free."
        />
        <SelectField
          label="Currency"
          name="currency"
          value={form.currency}
          onChange={set("currency")}
          error={fields.currency}
          options={(CURRENCIES.includes(form.currency as (typeof CURRENCIES)[number]) ? [...CURRENCIES] : [form.currency, ...CURRENCIES]).map((c) => ({ value: c, label: c }))}
        />
      </div>
      <div>
        <label className={`flex items-center gap-2 text-sm font-medium ${user.is_verified ? "text-slate-700" : "text-slate-600"}`}>
          <input
            type="checkbox"
            name="is_published"
            className="h-4 w-4 accent-brand-600"
            checked={user.is_verified && form.is_published}
            disabled={!user.is_verified}
            onChange={(e) => setForm((f) => ({ ...f, is_published: e.target.checked }))}
            aria-describedby="publish-hint"
          />
          Published in the catalog
        </label>
        <p id="publish-hint" className={`mt-1 text-xs ${fields.is_published ? "text-red-700" : "text-slate-600"}`}>
          {fields.is_published ??
            (user.is_verified
              ? "Unpublished courses are drafts only you can see."
              : "Publishing is available once an admin has verified your teacher account.")}
        </p>
      </div>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" busy={busy} data-testid="save-course">
          {course ? "Save changes" : "Create course"}
        </Button>
        <Link href="/teacher/" className="rounded-lg px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100">
          Cancel
        </Link>
      </div>
    </form>
  );
}

function Editor({ user, id, justCreated }: { user: User; id: string | null; justCreated: boolean }) {
  const router = useRouter();
  const course = useAsync(() => api.courses.get(id!), [id], Boolean(id));
  useDocumentTitle(id ? (course.data ? `Edit ${course.data.title}` : null) : "New course");

  if (id && course.loading && !course.data) return <Loading label="Loading course…" />;
  if (id && course.error) return <ErrorState error={course.error} onRetry={course.reload} title="Could not load the course" page />;
  if (course.data && course.data.teacher_id !== user.id) {
    return <Alert kind="warning" title="Not your course">Only the teacher who created a course can edit it.</Alert>;
  }

  return (
    <div>
      <nav aria-label="Breadcrumb" className="mb-4 text-sm text-slate-600">
        <Link href="/teacher/" className="hover:underline">
          ← My courses
        </Link>
      </nav>
      <h1 className="mb-6 text-2xl font-bold">{id ? (course.data?.title ?? "Edit course") : "New course"}</h1>
      <VerificationBanner user={user} />
      {justCreated && (
        <div className="mb-4">
          <Alert kind="success" title="Course created">
            Now add modules and lessons below.
          </Alert>
        </div>
      )}
      <div className="grid grid-cols-[minmax(0,1fr)] gap-8 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <section aria-labelledby="details-heading">
          <h2 id="details-heading" className="mb-3 text-lg font-semibold">
            Details
          </h2>
          <CourseForm
            user={user}
            course={course.data}
            onSaved={(newId, created) => {
              if (created) router.replace(`/teacher/course/?id=${encodeURIComponent(newId)}&created=1`);
              else course.reload();
            }}
          />
        </section>
        <section aria-labelledby="curriculum-heading">
          <h2 id="curriculum-heading" className="mb-3 text-lg font-semibold">
            Modules and lessons
          </h2>
          {id ? (
            <CurriculumEditor courseId={id} />
          ) : (
            <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
              Create the course first; then add its modules and lessons here.
            </p>
          )}
        </section>
      </div>
    </div>
  );
}

export function CourseEditor() {
  const params = useSearchParams();
  const id = params.get("id");
  return (
    <RequireAuth roles={["teacher"]}>
      {(user) => <Editor key={id ?? "new"} user={user} id={id} justCreated={params.get("created") === "1"} />}
    </RequireAuth>
  );
}
