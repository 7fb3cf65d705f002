-- Failed logins (per account and per client address) and registrations (per client address),
-- counted in fixed windows where every execution environment sees them. ``subject`` is a
-- SHA-256 (of the normalised email or of the address): no plain emails of strangers' guesses.
CREATE TABLE auth_attempts (
    scope              text NOT NULL CHECK (scope IN ('login-account', 'login-client', 'register-client')),
    subject            text NOT NULL,
    window_started_at  timestamptz NOT NULL,
    hits               integer NOT NULL CHECK (hits > 0),
    PRIMARY KEY (scope, subject)
);

-- Rows whose window ended are deleted by age.
CREATE INDEX auth_attempts_window_idx ON auth_attempts (window_started_at);
