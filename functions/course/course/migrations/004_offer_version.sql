-- The price lock (issue 11 item 8, issue 15 item 3): offer_version counts the changes of what
-- an offer signs (price, currency, published). The database bumps it itself, whatever code
-- path writes the row, so a cached copy of a course can be checked against it: the course
-- function signs an offer only from terms whose version the database still holds.
ALTER TABLE courses ADD COLUMN offer_version integer NOT NULL DEFAULT 1;

CREATE FUNCTION courses_bump_offer_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.offer_version := OLD.offer_version + 1;
    RETURN NEW;
END;
$$;

CREATE TRIGGER courses_offer_version
    BEFORE UPDATE OF price_cents, currency, is_published ON courses
    FOR EACH ROW
    WHEN (OLD.price_cents IS DISTINCT FROM NEW.price_cents
          OR OLD.currency IS DISTINCT FROM NEW.currency
          OR OLD.is_published IS DISTINCT FROM NEW.is_published)
    EXECUTE FUNCTION courses_bump_offer_version();
