/**
 * The API's resource shapes, taken from the types generated from the five functions' OpenAPI
 * documents (src/lib/contract/, `make openapi`). Nothing here is written by hand: when a
 * function's response changes, the generated types change, and the type check shows every
 * place in the app that reads the old shape.
 */
import type { components as CourseApi, paths as CoursePaths } from "./contract/course";
import type { components as EnrollmentApi } from "./contract/enrollment";
import type { components as IdentityApi } from "./contract/identity";
import type { components as NotificationApi } from "./contract/notification";
import type { components as PaymentApi } from "./contract/payment";

type IdentitySchemas = IdentityApi["schemas"];
type CourseSchemas = CourseApi["schemas"];
type EnrollmentSchemas = EnrollmentApi["schemas"];
type PaymentSchemas = PaymentApi["schemas"];
type NotificationSchemas = NotificationApi["schemas"];

/** Every list: `{items, total, limit, offset}` (SPEC §4). */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export type Tokens = IdentitySchemas["TokenResponse"];
export type User = IdentitySchemas["UserResponse"];
export type Role = User["role"];
export type RegisterInput = IdentitySchemas["RegisterRequest"];
export type LoginInput = IdentitySchemas["LoginRequest"];

export type Level = CourseSchemas["Level"];
export type CatalogSort = CourseSchemas["CatalogSort"];
export type Course = CourseSchemas["CourseResponse"];
/** `offer` is null while the course is a draft (nothing to buy yet). */
export type CourseDetail = CourseSchemas["CourseDetailResponse"];
export type CourseInput = CourseSchemas["CourseCreateRequest"];
export type CourseUpdate = CourseSchemas["CourseUpdateRequest"];
export type LessonSummary = CourseSchemas["LessonSummary"];
export type Lesson = CourseSchemas["LessonResponse"];
export type LessonInput = CourseSchemas["LessonCreateRequest"];
export type LessonUpdate = CourseSchemas["LessonUpdateRequest"];
export type Module = CourseSchemas["CurriculumModule"];
export type ModuleSummary = CourseSchemas["ModuleResponse"];
export type ModuleInput = CourseSchemas["ModuleCreateRequest"];
export type ModuleUpdate = CourseSchemas["ModuleUpdateRequest"];
export type Curriculum = CourseSchemas["CurriculumResponse"];
export type Review = CourseSchemas["ReviewResponse"];
export type ReviewInput = CourseSchemas["ReviewCreateRequest"];
/** The catalog's query string (`GET /api/courses`). */
export type CatalogQuery = NonNullable<CoursePaths["/api/courses"]["get"]["parameters"]["query"]>;

export type Enrollment = EnrollmentSchemas["EnrollmentResponse"];
/** Enrollment's signed proof for the course function: sent as `X-Entitlement`. */
export type Entitlement = EnrollmentSchemas["EntitlementResponse"];
export type EnrollmentInput = EnrollmentSchemas["EnrollmentCreateRequest"];
export type Progress = EnrollmentSchemas["CourseProgressResponse"];
export type LessonCompletion = EnrollmentSchemas["LessonCompletionResponse"];

export type Payment = PaymentSchemas["PaymentListItem"];
export type PaymentInput = PaymentSchemas["PaymentCreateRequest"];
export type PaymentResult = PaymentSchemas["PaymentCreatedResponse"];

export type AppNotification = NotificationSchemas["NotificationResponse"];
export type NotificationInput = NotificationSchemas["CreateNotificationRequest"];
export type NotificationPage = NotificationSchemas["NotificationPage"];

/** The error body every function answers with (`{error: {code, message, details}}`). */
export type ErrorBody = IdentitySchemas["ErrorResponse"];
