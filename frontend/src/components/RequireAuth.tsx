"use client";
import { usePathname, useSearchParams } from "next/navigation";
import type { ReactNode } from "react";
import { useAuth } from "@/lib/auth";
import type { Role, User } from "@/lib/types";
import { Alert, LinkButton, Loading } from "./ui";

/**
 * Renders children only for a logged-in user (of one of `roles`, when given). Otherwise it says
 * why, with a way on; its title is the page's h1 unless the page has its own heading
 * (`heading="h2"`).
 */
export function RequireAuth({
  roles,
  children,
  heading = "h1",
}: {
  roles?: Role[];
  children: (user: User) => ReactNode;
  heading?: "h1" | "h2";
}) {
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
          heading={heading}
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
        <Alert
          kind="warning"
          title="Not available for your account"
          heading={heading}
          action={<LinkButton href="/">Go to the catalog</LinkButton>}
        >
          This page is for {roles.join(" or ")} accounts. You are logged in as a {user.role}.
        </Alert>
      </div>
    );
  }
  return <>{children(user)}</>;
}
