export function formatPrice(cents: number, currency = "USD"): string {
  if (!cents) return "Free";
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

export function formatDate(iso: string | undefined | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleDateString("en-US", { year: "numeric", month: "short", day: "numeric" });
}

export function formatRating(avg: number | null | undefined): string {
  if (avg === null || avg === undefined || Number.isNaN(Number(avg))) return "–";
  return Number(avg).toFixed(1);
}

/** What a screen reader says for a rating ("Not rated yet", not "Rated – out of 5"). */
export function ratingText(avg: number | null, reviews: number): string {
  if (avg === null) return "Not rated yet";
  return `Rated ${formatRating(avg)} out of 5 from ${pluralize(reviews, "review")}`;
}

export function pluralize(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

/** "12.50" → 1250; returns null when the text is not a non-negative amount. */
export function parseMoneyToCents(text: string): number | null {
  const t = text.trim().replace(",", ".");
  if (t === "") return 0;
  if (!/^\d+(\.\d{0,2})?$/.test(t)) return null;
  return Math.round(Number(t) * 100);
}

export function centsToMoneyText(cents: number): string {
  return (cents / 100).toFixed(2);
}
