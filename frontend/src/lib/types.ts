/** Resource shapes from SPEC §4. Fields marked optional may be absent from some backends. */

export type Role = "student" | "teacher" | "admin";
export type Level = "beginner" | "intermediate" | "advanced";

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

export interface User {
  id: string;
  email: string;
  full_name: string;
  role: Role;
  is_verified: boolean;
  created_at: string;
}

export interface Course {
  id: string;
  title: string;
  description: string;
  category: string;
  level: Level;
  price_cents: number;
  currency: string;
  teacher_id: string;
  teacher_name?: string | null;
  is_published: boolean;
  rating_avg?: number | null;
  review_count?: number;
  module_count?: number;
  lesson_count?: number;
  created_at: string;
}

export interface CourseDetail extends Course {
  offer: string;
}

export interface CourseInput {
  title: string;
  description: string;
  category: string;
  level: Level;
  price_cents: number;
  currency: string;
  is_published?: boolean;
}

export interface LessonSummary {
  id: string;
  module_id: string;
  course_id: string;
  title: string;
  duration_minutes: number;
  position: number;
}

export interface Lesson extends LessonSummary {
  content: string;
}

export interface Module {
  id: string;
  course_id: string;
  title: string;
  position: number;
  lessons: LessonSummary[];
}

export interface Curriculum {
  course_id: string;
  modules: Module[];
}

export interface Review {
  id: string;
  course_id: string;
  student_id: string;
  student_name?: string | null;
  rating: number;
  comment: string;
  created_at: string;
}

export interface Payment {
  id: string;
  user_id: string;
  course_id: string;
  amount_cents: number;
  currency: string;
  status: string;
  created_at: string;
  /** In the payments list: a freshly signed receipt for a succeeded payment, else null. */
  receipt?: string | null;
}

export interface PaymentResult {
  payment: Payment;
  receipt: string;
}

export interface Enrollment {
  id: string;
  user_id: string;
  course_id: string;
  payment_id: string | null;
  created_at: string;
  /** A count in the contract; tolerated as a list of lesson ids too. */
  completed_lessons?: number | string[];
  course_title?: string;
  total_lessons?: number;
}

export interface Progress {
  course_id: string;
  completed_lesson_ids: string[];
  completed_count: number;
  total_lessons?: number;
}

export interface AppNotification {
  id: string;
  user_id: string;
  type: string;
  title: string;
  body: string;
  is_read: boolean;
  created_at: string;
}

export interface CatalogQuery {
  q?: string;
  category?: string;
  level?: string;
  min_price?: number;
  max_price?: number;
  free?: boolean;
  sort?: string;
  limit?: number;
  offset?: number;
}
