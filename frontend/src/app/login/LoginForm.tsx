"use client";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Alert, Button, TextField } from "@/components/ui";
import { ApiError, errorMessage } from "@/lib/api";
import { safeNext, useAuth } from "@/lib/auth";

export function LoginForm() {
  const { login } = useAuth();
  const router = useRouter();
  const params = useSearchParams();
  const next = safeNext(params.get("next"), "");
  const [email, setEmail] = useState(params.get("email") ?? "");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const fields = error instanceof ApiError ? error.fieldErrors() : {};

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await login(email.trim(), password);
      const home = user.role === "teacher" ? "/teacher/" : user.role === "admin" ? "/admin/" : "/";
      router.push(next || home);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <div className="mx-auto max-w-md">
      <h1 className="text-2xl font-bold">Log in</h1>
      <p className="mt-1 text-sm text-slate-600">
        New here?{" "}
        <Link href={`/register/${next ? `?next=${encodeURIComponent(next)}` : ""}`} className="font-medium text-brand-700 underline">
          Create an account
        </Link>
      </p>
      {params.get("expired") && (
        <div className="mt-4">
          <Alert kind="info" title="Your session has ended">
            Log in again to continue{next ? " where you were" : ""}.
          </Alert>
        </div>
      )}
      {params.get("registered") && (
        <div className="mt-4">
          <Alert kind="success" title="Account created">
            Log in with your new account.
          </Alert>
        </div>
      )}
      <form onSubmit={submit} className="mt-6 space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" noValidate>
        {error !== null && Object.keys(fields).length === 0 && (
          <Alert title="Could not log in">
            {error instanceof ApiError && error.status === 401 ? "Wrong email or password." : errorMessage(error)}
          </Alert>
        )}
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fields.email}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fields.password}
        />
        <Button type="submit" busy={busy} className="w-full">
          Log in
        </Button>
      </form>
    </div>
  );
}
