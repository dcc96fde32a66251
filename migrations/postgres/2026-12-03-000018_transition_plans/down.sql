DROP TABLE transition_plans;
