/** The one place for fixed lists the API does not serve. */

export const CATEGORIES = [
  "Programming",
  "Data Science",
  "Design",
  "Business",
  "Marketing",
  "Languages",
  "Music",
  "Photography",
  "Health",
  "Mathematics",
] as const;

export const LEVELS = [
  { value: "beginner", label: "Beginner" },
  { value: "intermediate", label: "Intermediate" },
  { value: "advanced", label: "Advanced" },
] as const;

export const SORTS = [
  { value: "newest", label: "Newest" },
  { value: "rating", label: "Highest rated" },
  { value: "popular", label: "Most popular" },
  { value: "price_asc", label: "Price: low to high" },
  { value: "price_desc", label: "Price: high to low" },
] as const;

export const CURRENCIES = ["USD", "EUR", "GBP", "RUB"] as const;

export const CATALOG_PAGE_SIZE = 12;
export const REVIEWS_PAGE_SIZE = 5;

export function levelLabel(level: string): string {
  return LEVELS.find((l) => l.value === level)?.label ?? level;
}
