ALTER TABLE register_entries DROP COLUMN discharge_points_complete;
DROP TABLE discharge_plan_reviews;
DROP TABLE discharge_points;
DROP TABLE discharge_plans;
