"use client";
import { usePathname, useSearchParams } from "next/navigation";
import type { ReactNode } from "react";
import { useAuth } from "@/lib/auth";
import type { Role, User } from "@/lib/types";
import { Alert, LinkButton, Loading } from "./ui";

/** Renders children only for a logged-in user (of one of `roles`, when given). */
export function RequireAuth({ roles, children }: { roles?: Role[]; children: (user: User) => ReactNode }) {
  const { status, user } = useAuth();
  const pathname = usePathname();
  const params = useSearchParams();
  if (status === "loading") return <Loading label="Checking your session…" />;
  if (!user) {
    const qs = params.toString();
    const next = `${pathname}${qs ? `?${qs}` : ""}`;
    return (
      <div className="mx-auto max-w-lg py-10">
        <Alert
          kind="info"
          title="Please log in"
          action={
            <LinkButton href={`/login/?next=${encodeURIComponent(next)}`} variant="primary">
              Log in
            </LinkButton>
          }
        >
          You need an account to see this page.
        </Alert>
      </div>
    );
  }
  if (roles && !roles.includes(user.role)) {
    return (
      <div className="mx-auto max-w-lg py-10">
        <Alert kind="warning" title="Not available for your account">
          This page is for {roles.join(" or ")} accounts. You are logged in as a {user.role}.
        </Alert>
      </div>
    );
  }
  return <>{children(user)}</>;
}
