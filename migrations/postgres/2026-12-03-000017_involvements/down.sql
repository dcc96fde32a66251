DROP TABLE involvements;
