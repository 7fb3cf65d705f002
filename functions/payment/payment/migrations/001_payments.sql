-- payments: every charge attempt a user made for a course, succeeded or declined.
--   id                 the payment id (a UUID made in Python); receipts carry it as payment_id
--   user_id            the payer (the access token's sub; identity's users.id, not a foreign key:
--                      database per service)
--   course_id          the course of the signed offer (course's courses.id, not a foreign key)
--   amount_cents       exactly the offer's price, in integer cents (> 0: free courses never pay)
--   currency           the offer's ISO 4217 code, upper case
--   status             succeeded | declined (a declined attempt is kept for the record)
--   idempotency_key    the client's Idempotency-Key header (NULL for seeded/imported rows)
--   processor_reference the processor's id for the charge (NULL for seeded rows)
--   decline_reason     the processor's reason when declined
--   created_at         when the attempt was made
CREATE TABLE payments (
    id                   uuid PRIMARY KEY,
    user_id              uuid NOT NULL,
    course_id            uuid NOT NULL,
    amount_cents         bigint NOT NULL CHECK (amount_cents > 0),
    currency             text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status               text NOT NULL CHECK (status IN ('succeeded', 'declined')),
    idempotency_key      text CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    processor_reference  text,
    decline_reason       text,
    created_at           timestamptz NOT NULL DEFAULT now()
);

-- A user never pays twice for one course (the service also serialises per user; this is the
-- last line of defence).
CREATE UNIQUE INDEX payments_one_success_per_course_key
    ON payments (user_id, course_id) WHERE status = 'succeeded';
-- An idempotency key is bound by its succeeded payment only: declined attempts may retry it.
CREATE UNIQUE INDEX payments_one_success_per_key_key
    ON payments (user_id, idempotency_key) WHERE status = 'succeeded';
-- "My payments", newest first.
CREATE INDEX payments_user_created_idx ON payments (user_id, created_at DESC, id DESC);
