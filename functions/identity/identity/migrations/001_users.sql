CREATE TABLE users (
    id             uuid PRIMARY KEY,
    email          text NOT NULL,
    password_hash  text NOT NULL,
    full_name      text NOT NULL,
    role           text NOT NULL CHECK (role IN ('student', 'teacher', 'admin')),
    is_verified    boolean NOT NULL DEFAULT false,
    verified_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- Emails are unique case-insensitively; the index also serves login look-ups.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
-- The admin's "pending teachers" list.
CREATE INDEX users_role_verified_created_idx ON users (role, is_verified, created_at);
