-- pg_trgm lets SEARCH_INDEX=trgm build GIN trigram indexes that serve `ILIKE '%q%'`.
-- The extension alone changes no plan; configure_database (course/__init__.py) creates or
-- drops the indexes according to the switch.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
