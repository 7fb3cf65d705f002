-- Refresh tokens rotate: each one is exchanged once for the next of its family (one family per
-- login). A token presented again after its exchange was copied: its whole family is revoked,
-- so neither the thief nor the victim can refresh any more (the victim logs in again).
CREATE TABLE refresh_families (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    -- why: 'logout' or 'reuse'
    revoked_why text CHECK (revoked_why IN ('logout', 'reuse'))
);

CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    family_id   uuid NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX refresh_families_user_idx ON refresh_families (user_id);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
-- Expired tokens are deleted by age.
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);
