-- notifications: one message for one user, shown in the app (the unread badge and the list) and,
-- when the function has an EMAIL_SENDER, also emailed once through Amazon SES.
--   user_id       the recipient: the `sub` of the access token that created it (identity's user
--                 id; no foreign key, identity's users live in another database)
--   type          what the message is about (enrollment, payment, review, system, course_update)
--   title, body   what the user reads (the email's subject and text)
--   is_read       the user marked it read; read_at is when they first did (null while unread)
--   email_status  the email's fate: skipped (no sender configured, or the caller asked for no
--                 email), pending (stored, email not attempted yet: only seen if the function died
--                 in between), sent, failed. The notification is committed before the email is
--                 sent, so a failed email never loses it.
CREATE TABLE notifications (
    id            uuid PRIMARY KEY,
    user_id       uuid NOT NULL,
    type          text NOT NULL
                  CHECK (type IN ('enrollment', 'payment', 'review', 'system', 'course_update')),
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    is_read       boolean NOT NULL DEFAULT false,
    read_at       timestamptz,
    email_status  text NOT NULL DEFAULT 'skipped'
                  CHECK (email_status IN ('skipped', 'pending', 'sent', 'failed')),
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A user's list, newest first (GET /api/notifications/me).
CREATE INDEX notifications_user_created_idx ON notifications (user_id, created_at DESC, id DESC);
-- The unread badge and the unread filter: only the (few) unread rows are indexed.
CREATE INDEX notifications_user_unread_idx ON notifications (user_id, created_at DESC, id DESC)
    WHERE NOT is_read;
