-- The register and report filters compare areas ignoring case (lower(area) = lower(?)).
CREATE INDEX people_area_lower_idx ON people (lower(area));
