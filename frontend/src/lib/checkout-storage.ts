/** Keeps an unfinished checkout in localStorage (per user and course) so it survives reloads. */
import { type CheckoutState, isCheckoutState, reviveCheckout } from "./checkout";

const key = (userId: string, courseId: string) => `edu.checkout.${userId}.${courseId}`;

export function loadCheckout(userId: string, courseId: string): CheckoutState | null {
  if (typeof window === "undefined") return null;
  try {
    const raw = window.localStorage.getItem(key(userId, courseId));
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    return isCheckoutState(parsed) ? reviveCheckout(parsed) : null;
  } catch {
    return null;
  }
}

export function saveCheckout(userId: string, state: CheckoutState): void {
  if (typeof window === "undefined") return;
  try {
    window.localStorage.setItem(key(userId, state.courseId), JSON.stringify(state));
  } catch {
    /* ignore */
  }
}

export function clearCheckout(userId: string, courseId: string): void {
  if (typeof window === "undefined") return;
  try {
    window.localStorage.removeItem(key(userId, courseId));
  } catch {
    /* ignore */
  }
}

export function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}
