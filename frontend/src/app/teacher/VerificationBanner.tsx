"use client";
import { useState } from "react";
import { Alert, Button } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import type { User } from "@/lib/types";

/** Shown while a teacher is not verified: drafts work, publishing waits for an admin. */
export function VerificationBanner({ user }: { user: User }) {
  const { reload, confirmed } = useAuth();
  const [checking, setChecking] = useState(false);
  const [checked, setChecked] = useState(false);
  // Wait for the API's word: the token's claim may be stale right after an admin verified you.
  if (user.is_verified || !confirmed) return null;
  return (
    <div className="mb-6" data-testid="unverified-banner">
      <Alert
        kind="warning"
        title="Your teacher account is waiting for verification"
        action={
          <Button
            variant="secondary"
            busy={checking}
            onClick={async () => {
              setChecking(true);
              try {
                await reload(true);
              } finally {
                setChecking(false);
                setChecked(true);
              }
            }}
          >
            Check again
          </Button>
        }
      >
        You can create courses and edit their modules and lessons now, but they stay drafts: publishing to the catalog
        starts once an admin has verified you.
        {checked && " Still pending — try again later."}
      </Alert>
    </div>
  );
}
