-- The course function's database: courses, their curriculum (modules and lessons), reviews.
-- Ids are UUIDs made by the application; money is integer cents with a 3-letter currency.
-- Positions are 0-based and dense among siblings (0..n-1); the application keeps them so.

-- A course a teacher wrote. teacher_id/teacher_name come from the teacher's access token when
-- the course is created (identity lives in another database). The four counters are kept
-- exact by the application in the same transaction as the rows they count; a bulk loader
-- (the seed) must fill them consistently:
--   review_count = count(reviews), rating_sum = sum(reviews.rating),
--   module_count = count(modules), lesson_count = count(lessons) of the course.
-- rating_avg is generated from them (never list it in a COPY column list).
CREATE TABLE courses (
    id            uuid PRIMARY KEY,
    teacher_id    uuid NOT NULL,
    teacher_name  text NOT NULL,
    title         text NOT NULL,
    description   text NOT NULL DEFAULT '',
    category      text NOT NULL,
    level         text NOT NULL CHECK (level IN ('beginner', 'intermediate', 'advanced')),
    price_cents   integer NOT NULL CHECK (price_cents >= 0),
    currency      text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    is_published  boolean NOT NULL DEFAULT false,
    review_count  integer NOT NULL DEFAULT 0 CHECK (review_count >= 0),
    rating_sum    bigint NOT NULL DEFAULT 0 CHECK (rating_sum >= 0),
    rating_avg    numeric(3, 2) GENERATED ALWAYS AS (
                      CASE WHEN review_count > 0
                           THEN round(rating_sum::numeric / review_count, 2) END
                  ) STORED,
    module_count  integer NOT NULL DEFAULT 0 CHECK (module_count >= 0),
    lesson_count  integer NOT NULL DEFAULT 0 CHECK (lesson_count >= 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- The public catalog lists published courses only; one partial index per sort order.
-- (Search by `q` deliberately has no index here: SEARCH_INDEX=trgm adds one, see __init__.py.)
CREATE INDEX courses_published_newest_idx ON courses (created_at DESC, id DESC)
    WHERE is_published;
CREATE INDEX courses_published_price_idx ON courses (price_cents, created_at DESC, id DESC)
    WHERE is_published;
CREATE INDEX courses_published_rating_idx
    ON courses (rating_avg DESC NULLS LAST, review_count DESC, created_at DESC, id DESC)
    WHERE is_published;
CREATE INDEX courses_published_popular_idx
    ON courses (review_count DESC, created_at DESC, id DESC)
    WHERE is_published;
CREATE INDEX courses_published_category_idx ON courses (lower(category), created_at DESC)
    WHERE is_published;
-- A teacher's own courses, drafts included.
CREATE INDEX courses_teacher_idx ON courses (teacher_id, created_at DESC, id DESC);

-- A module of a course: an ordered section of lessons.
CREATE TABLE modules (
    id          uuid PRIMARY KEY,
    course_id   uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title       text NOT NULL,
    position    integer NOT NULL CHECK (position >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- Deferred: reordering shifts several positions inside one transaction.
    CONSTRAINT modules_course_position_key UNIQUE (course_id, position)
        DEFERRABLE INITIALLY DEFERRED
);

-- A lesson of a module. course_id repeats the module's course so that a lesson's course is
-- one look-up away (access checks, counters, cascades).
CREATE TABLE lessons (
    id                uuid PRIMARY KEY,
    module_id         uuid NOT NULL REFERENCES modules (id) ON DELETE CASCADE,
    course_id         uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title             text NOT NULL,
    content           text NOT NULL DEFAULT '',
    duration_minutes  integer NOT NULL DEFAULT 0 CHECK (duration_minutes >= 0),
    position          integer NOT NULL CHECK (position >= 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT lessons_module_position_key UNIQUE (module_id, position)
        DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX lessons_course_idx ON lessons (course_id);

-- A student's review of a course: one per student per course. student_name comes from the
-- student's access token when the review is written.
CREATE TABLE reviews (
    id            uuid PRIMARY KEY,
    course_id     uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    student_id    uuid NOT NULL,
    student_name  text NOT NULL,
    rating        smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment       text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT reviews_course_student_key UNIQUE (course_id, student_id)
);
-- A course's reviews, newest first.
CREATE INDEX reviews_course_newest_idx ON reviews (course_id, created_at DESC, id DESC);
