DROP INDEX people_area_lower_idx;
