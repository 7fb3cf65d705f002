"use client";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, useRef, useState } from "react";
import { Alert, Button, ErrorSummary, TextField, useFocusFirstInvalid } from "@/components/ui";
import { ApiError, errorMessage } from "@/lib/api";
import { safeNext, useAuth } from "@/lib/auth";

export function RegisterForm() {
  const { register, login } = useAuth();
  const router = useRouter();
  const params = useSearchParams();
  const next = safeNext(params.get("next"), "");
  const [form, setForm] = useState({
    full_name: "",
    email: "",
    password: "",
    role: (params.get("role") === "teacher" ? "teacher" : "student") as "student" | "teacher",
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});

  const fields = { ...(error instanceof ApiError ? error.fieldErrors() : {}), ...local };
  const formRef = useRef<HTMLFormElement>(null);
  const [attempt, setAttempt] = useState(0);
  useFocusFirstInvalid(formRef, attempt);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!form.full_name.trim()) problems.full_name = "Enter your name.";
    if (!/^\S+@\S+\.\S+$/.test(form.email.trim())) problems.email = "Enter a valid email address.";
    if (form.password.length < 8) problems.password = "Use at least 8 characters.";
    setLocal(problems);
    setError(null);
    if (Object.keys(problems).length) {
      setAttempt((n) => n + 1);
      return;
    }
    setBusy(true);
    try {
      await register({ ...form, email: form.email.trim(), full_name: form.full_name.trim() });
    } catch (err) {
      setError(err);
      setBusy(false);
      setAttempt((n) => n + 1);
      return;
    }
    try {
      const user = await login(form.email.trim(), form.password);
      router.push(next || (user.role === "teacher" ? "/teacher/" : "/"));
    } catch {
      router.push(`/login/?registered=1&email=${encodeURIComponent(form.email.trim())}`);
    }
  };

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <div className="mx-auto max-w-md">
      <h1 className="text-2xl font-bold">Create an account</h1>
      <p className="mt-1 text-sm text-slate-600">
        Already registered?{" "}
        <Link href="/login/" className="font-medium text-brand-700 underline">
          Log in
        </Link>
      </p>
      <form ref={formRef} onSubmit={submit} className="mt-6 space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" noValidate>
        {error !== null && !(error instanceof ApiError && Object.keys(error.fieldErrors()).length) && (
          <Alert title="Could not create the account">
            {error instanceof ApiError && error.status === 409 ? "An account with this email already exists." : errorMessage(error)}
          </Alert>
        )}
        <ErrorSummary errors={fields} labels={{ full_name: "Full name", email: "Email", password: "Password", role: "Account type" }} />
        <fieldset>
          <legend className="mb-2 block text-sm font-medium text-slate-700">I want to</legend>
          <div className="grid grid-cols-2 gap-2">
            {(
              [
                ["student", "Learn", "Take courses as a student"],
                ["teacher", "Teach", "Create courses as a teacher"],
              ] as const
            ).map(([value, title, desc]) => (
              <label
                key={value}
                className={`cursor-pointer rounded-lg border p-3 text-sm has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-brand-600 ${
                  form.role === value ? "border-brand-600 bg-brand-50" : "border-slate-300 bg-white"
                }`}
              >
                <input
                  type="radio"
                  name="role"
                  value={value}
                  checked={form.role === value}
                  onChange={() => setForm((f) => ({ ...f, role: value }))}
                  className="sr-only"
                />
                <span className="block font-semibold">{title}</span>
                <span className="text-slate-600">{desc}</span>
              </label>
            ))}
          </div>
          {form.role === "teacher" && (
            <p className="mt-2 text-xs text-slate-600">
              Teacher accounts can draft courses at once; publishing starts after an admin verifies you.
            </p>
          )}
        </fieldset>
        <TextField label="Full name" name="full_name" autoComplete="name" value={form.full_name} onChange={set("full_name")} error={fields.full_name} required />
        <TextField label="Email" name="email" type="email" autoComplete="email" value={form.email} onChange={set("email")} error={fields.email} required />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          value={form.password}
          onChange={set("password")}
          error={fields.password}
          hint="At least 8 characters."
          required
        />
        {fields.role && <p className="text-sm text-red-700">{fields.role}</p>}
        <Button type="submit" busy={busy} className="w-full">
          Create account
        </Button>
      </form>
    </div>
  );
}
