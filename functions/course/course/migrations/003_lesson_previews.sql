-- A teacher may open some lessons of a priced course to everyone as free previews (issue 11
-- item 2); every other lesson of a priced course is read only by its enrolled students (with
-- an entitlement signed by the enrollment function), its teacher and admins.
ALTER TABLE lessons ADD COLUMN is_preview boolean NOT NULL DEFAULT false;
