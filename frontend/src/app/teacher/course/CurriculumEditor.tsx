"use client";
import { type FormEvent, useState } from "react";
import { Alert, Button, EmptyState, ErrorState, Loading, TextArea, TextField } from "@/components/ui";
import { api, ApiError, errorMessage } from "@/lib/api";
import { useAsync } from "@/lib/hooks";
import { orderedModules } from "@/lib/learning";
import type { LessonSummary, Module } from "@/lib/types";

/**
 * Moves item `index` one place up or down by giving it its neighbour's position and the
 * neighbour its old one. Works whether the API stores positions as given or shifts siblings.
 */
async function swapPositions<T extends { id: string; position: number }>(
  items: T[],
  index: number,
  dir: -1 | 1,
  patch: (id: string, position: number) => Promise<unknown>,
) {
  const a = items[index];
  const b = items[index + dir];
  if (!a || !b) return;
  const pa = a.position;
  const pb = b.position === a.position ? a.position + dir : b.position;
  await patch(a.id, pb);
  await patch(b.id, pa);
}

/**
 * After an editor action the pressed control is often gone (a form closed, a row deleted) or
 * disabled (a lesson moved to the top): once the list has re-rendered, focus the first enabled
 * control `targets` selects — unless the user has already moved focus somewhere else.
 */
function refocus(targets: string[]): void {
  const started = Date.now();
  const attempt = () => {
    const focused = document.activeElement;
    const lost = !focused || focused === document.body || (focused instanceof HTMLButtonElement && focused.disabled);
    if (!lost) return;
    for (const target of targets) {
      const el = document.querySelector<HTMLElement>(`${target}:not([disabled])`);
      if (el) return el.focus();
    }
    if (Date.now() - started < 10_000) window.setTimeout(attempt, 100);
  };
  window.setTimeout(attempt, 0);
}

/** The control labelled `label`. */
const labelled = (label: string) => `[aria-label="${CSS.escape(label)}"]`;
/** A module's "Add lesson" button. */
const addLessonOf = (moduleId: string) => `[data-add-lesson="${CSS.escape(moduleId)}"]`;

function IconButton({ label, onClick, disabled, children }: { label: string; onClick: () => void; disabled?: boolean; children: string }) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      disabled={disabled}
      onClick={onClick}
      className="grid h-8 w-8 place-items-center rounded-md text-slate-600 ring-1 ring-slate-200 hover:bg-slate-100 disabled:opacity-30"
    >
      <span aria-hidden="true">{children}</span>
    </button>
  );
}

function LessonForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial: { title: string; content: string; duration_minutes: number };
  submitLabel: string;
  onSubmit: (v: { title: string; content: string; duration_minutes: number }) => Promise<void>;
  onCancel: () => void;
}) {
  const [title, setTitle] = useState(initial.title);
  const [content, setContent] = useState(initial.content);
  const [duration, setDuration] = useState(String(initial.duration_minutes || ""));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const fields = { ...(error instanceof ApiError ? error.fieldErrors() : {}), ...local };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!title.trim()) problems.title = "Give the lesson a title.";
    const d = Number(duration);
    if (!Number.isInteger(d) || d < 1) problems.duration_minutes = "Enter whole minutes (1 or more).";
    setLocal(problems);
    setError(null);
    if (Object.keys(problems).length) return;
    setBusy(true);
    try {
      await onSubmit({ title: title.trim(), content, duration_minutes: d });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="space-y-3 rounded-lg bg-slate-50 p-3" noValidate>
      {error !== null && !Object.keys(fields).length && <Alert title="Could not save the lesson">{errorMessage(error)}</Alert>}
      <TextField label="Lesson title" name="lesson_title" value={title} onChange={(e) => setTitle(e.target.value)} error={fields.title} />
      <TextField
        label="Duration (minutes)"
        name="duration_minutes"
        type="number"
        min={1}
        inputMode="numeric"
        value={duration}
        onChange={(e) => setDuration(e.target.value)}
        error={fields.duration_minutes}
      />
      <TextArea label="Content" name="content" rows={6} value={content} onChange={(e) => setContent(e.target.value)} error={fields.content} hint="Plain text; blank lines separate paragraphs." />
      <div className="flex gap-2">
        <Button type="submit" size="sm" busy={busy}>
          {submitLabel}
        </Button>
        <Button size="sm" variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function LessonRow({
  lesson,
  index,
  count,
  onMove,
  onChanged,
  onError,
}: {
  lesson: LessonSummary;
  index: number;
  count: number;
  onMove: (dir: -1 | 1) => void;
  onChanged: () => void;
  onError: (e: unknown) => void;
}) {
  const [editing, setEditing] = useState(false);
  const full = useAsync(() => api.lessons.get(lesson.id), [lesson.id, editing], editing);
  const [deleting, setDeleting] = useState(false);

  if (editing) {
    if (full.loading || !full.data) {
      return <li className="p-2">{full.error ? <ErrorState error={full.error} onRetry={full.reload} /> : <Loading label="Loading lesson…" />}</li>;
    }
    return (
      <li className="py-2">
        <LessonForm
          initial={full.data}
          submitLabel="Save lesson"
          onCancel={() => {
            setEditing(false);
            refocus([labelled(`Edit lesson ${lesson.title}`)]);
          }}
          onSubmit={async (v) => {
            await api.lessons.update(lesson.id, v);
            setEditing(false);
            onChanged();
            refocus([labelled(`Edit lesson ${v.title ?? lesson.title}`), labelled(`Edit lesson ${lesson.title}`)]);
          }}
        />
      </li>
    );
  }
  return (
    <li className="flex items-center gap-2 py-2 text-sm">
      <span className="w-6 shrink-0 text-right text-slate-600">{index + 1}.</span>
      <span className="min-w-0 flex-1 truncate">{lesson.title}</span>
      <span className="hidden shrink-0 text-xs text-slate-600 sm:inline">{lesson.duration_minutes} min</span>
      <IconButton
        label={`Move lesson ${lesson.title} up`}
        disabled={index === 0}
        onClick={() => {
          onMove(-1);
          refocus([labelled(`Move lesson ${lesson.title} up`), labelled(`Move lesson ${lesson.title} down`)]);
        }}
      >
        ↑
      </IconButton>
      <IconButton
        label={`Move lesson ${lesson.title} down`}
        disabled={index === count - 1}
        onClick={() => {
          onMove(1);
          refocus([labelled(`Move lesson ${lesson.title} down`), labelled(`Move lesson ${lesson.title} up`)]);
        }}
      >
        ↓
      </IconButton>
      <Button size="sm" variant="ghost" onClick={() => setEditing(true)} aria-label={`Edit lesson ${lesson.title}`}>
        Edit
      </Button>
      <Button
        size="sm"
        variant="ghost"
        className="text-red-700"
        busy={deleting}
        aria-label={`Delete lesson ${lesson.title}`}
        onClick={async () => {
          if (!window.confirm(`Delete the lesson "${lesson.title}"?`)) return;
          setDeleting(true);
          try {
            await api.lessons.remove(lesson.id);
            onChanged();
            refocus([addLessonOf(lesson.module_id)]);
          } catch (err) {
            onError(err);
          } finally {
            setDeleting(false);
          }
        }}
      >
        Delete
      </Button>
    </li>
  );
}

function ModuleCard({
  module: m,
  index,
  count,
  onMove,
  onChanged,
  onError,
}: {
  module: Module;
  index: number;
  count: number;
  onMove: (dir: -1 | 1) => void;
  onChanged: () => void;
  onError: (e: unknown) => void;
}) {
  const [renaming, setRenaming] = useState(false);
  const [title, setTitle] = useState(m.title);
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const rename = async (e: FormEvent) => {
    e.preventDefault();
    if (!title.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await api.modules.update(m.id, { title: title.trim() });
      setRenaming(false);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const moveLesson = async (li: number, dir: -1 | 1) => {
    try {
      await swapPositions(m.lessons, li, dir, (id, position) => api.lessons.update(id, { position }));
    } catch (err) {
      onError(err);
    }
    onChanged();
  };

  return (
    <li className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="module-card">
      {renaming ? (
        <form onSubmit={rename} className="flex flex-wrap items-end gap-2">
          <div className="min-w-0 flex-1">
            <TextField
              label="Module title"
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              error={error instanceof ApiError ? (error.fieldErrors().title ?? error.message) : undefined}
              autoFocus
            />
          </div>
          <Button type="submit" size="sm" busy={busy}>
            Save
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setRenaming(false)}>
            Cancel
          </Button>
        </form>
      ) : (
        <div className="flex items-center gap-2">
          <h3 className="min-w-0 flex-1 font-semibold">
            <span className="text-slate-600">Module {index + 1}.</span> {m.title}
          </h3>
          <IconButton label={`Move module ${m.title} up`} disabled={index === 0} onClick={() => onMove(-1)}>
            ↑
          </IconButton>
          <IconButton label={`Move module ${m.title} down`} disabled={index === count - 1} onClick={() => onMove(1)}>
            ↓
          </IconButton>
          <Button size="sm" variant="ghost" onClick={() => setRenaming(true)} aria-label={`Rename module ${m.title}`}>
            Rename
          </Button>
          <Button
            size="sm"
            variant="ghost"
            className="text-red-700"
            aria-label={`Delete module ${m.title}`}
            onClick={async () => {
              if (!window.confirm(`Delete the module "${m.title}" and its ${m.lessons.length} lessons?`)) return;
              try {
                await api.modules.remove(m.id);
                onChanged();
              } catch (err) {
                onError(err);
              }
            }}
          >
            Delete
          </Button>
        </div>
      )}

      {m.lessons.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600">No lessons in this module yet.</p>
      ) : (
        <ol className="mt-2 divide-y divide-slate-100">
          {m.lessons.map((l, li) => (
            <LessonRow
              key={l.id}
              lesson={l}
              index={li}
              count={m.lessons.length}
              onMove={(dir) => moveLesson(li, dir)}
              onChanged={onChanged}
              onError={onError}
            />
          ))}
        </ol>
      )}

      <div className="mt-3">
        {adding ? (
          <LessonForm
            initial={{ title: "", content: "", duration_minutes: 10 }}
            submitLabel="Add lesson"
            onCancel={() => {
              setAdding(false);
              refocus([addLessonOf(m.id)]);
            }}
            onSubmit={async (v) => {
              await api.lessons.create(m.id, v);
              setAdding(false);
              onChanged();
              refocus([labelled(`Edit lesson ${v.title}`), addLessonOf(m.id)]);
            }}
          />
        ) : (
          <Button size="sm" variant="secondary" onClick={() => setAdding(true)} data-testid="add-lesson" data-add-lesson={m.id}>
            + Add lesson
          </Button>
        )}
      </div>
    </li>
  );
}

function AddModule({ onAdded, courseId }: { courseId: string; onAdded: () => void }) {
  const [title, setTitle] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!title.trim()) {
      setError(new ApiError(422, "local", "", [{ field: "title", message: "Give the module a title." }]));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.modules.create(courseId, { title: title.trim() });
      setTitle("");
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const fieldError = error instanceof ApiError ? (error.fieldErrors().title ?? (error.message || undefined)) : error ? errorMessage(error) : undefined;
  return (
    <form onSubmit={submit} className="flex flex-wrap items-start gap-2 rounded-xl border border-dashed border-slate-300 bg-white p-4" noValidate>
      <div className="min-w-0 flex-1">
        <TextField label="New module title" name="module_title" value={title} onChange={(e) => setTitle(e.target.value)} error={fieldError} placeholder="e.g. Getting started" />
      </div>
      <Button type="submit" busy={busy} className="sm:mt-6" data-testid="add-module">
        Add module
      </Button>
    </form>
  );
}

export function CurriculumEditor({ courseId }: { courseId: string }) {
  const curriculum = useAsync(() => api.courses.curriculum(courseId), [courseId]);
  const [error, setError] = useState<unknown>(null);
  const modules = orderedModules(curriculum.data);

  const moveModule = async (index: number, dir: -1 | 1) => {
    setError(null);
    try {
      await swapPositions(modules, index, dir, (id, position) => api.modules.update(id, { position }));
    } catch (err) {
      setError(err);
    }
    curriculum.reload();
  };

  if (curriculum.loading && !curriculum.data) return <Loading label="Loading modules…" />;
  if (curriculum.error && !curriculum.data) return <ErrorState error={curriculum.error} onRetry={curriculum.reload} title="Could not load the modules" />;

  return (
    <div className={`space-y-4 ${curriculum.loading ? "opacity-70" : ""}`}>
      {error !== null && (
        <Alert title="Could not update the curriculum" action={<Button size="sm" variant="secondary" onClick={() => setError(null)}>Dismiss</Button>}>
          {errorMessage(error)}
        </Alert>
      )}
      {modules.length === 0 ? (
        <EmptyState title="No modules yet">Add a first module, then its lessons.</EmptyState>
      ) : (
        <ol className="space-y-4">
          {modules.map((m, i) => (
            <ModuleCard
              key={m.id}
              module={m}
              index={i}
              count={modules.length}
              onMove={(dir) => moveModule(i, dir)}
              onChanged={curriculum.reload}
              onError={setError}
            />
          ))}
        </ol>
      )}
      <AddModule courseId={courseId} onAdded={curriculum.reload} />
    </div>
  );
}
