-- enrollments: a user taking a course.
--   id          the enrollment id (a UUID made in Python)
--   user_id     the student (identity's users.id; not a foreign key: database per service)
--   course_id   the course (course's courses.id; not a foreign key)
--   payment_id  the payment of the receipt it was made with (payment's payments.id);
--               NULL for a free course enrolled with a price-0 offer
--   created_at  when the user enrolled
CREATE TABLE enrollments (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL,
    course_id   uuid NOT NULL,
    payment_id  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- One enrollment per user and course: enrolling twice (even concurrently) is a 409.
    CONSTRAINT enrollments_user_course_key UNIQUE (user_id, course_id),
    -- A receipt (one payment) enrolls once.
    CONSTRAINT enrollments_payment_key UNIQUE (payment_id)
);

-- "My enrollments", newest first.
CREATE INDEX enrollments_user_created_idx ON enrollments (user_id, created_at DESC, id DESC);

-- lesson_progress: the lessons an enrollment has completed (one row per completed lesson).
--   enrollment_id  the enrollment (whose user and course it is)
--   lesson_id      the lesson (course's lessons.id; NOT checked against the curriculum,
--                  which lives in the course database this function cannot read)
--   completed_at   when the lesson was first marked complete (marking again changes nothing)
CREATE TABLE lesson_progress (
    enrollment_id  uuid NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    lesson_id      uuid NOT NULL,
    completed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enrollment_id, lesson_id)
);
