//! HTTP-level tests: each starts the real application on a random port with a fresh database
//! (SQLite by default; PostgreSQL when DSR_TEST_DATABASE_URL is set) and speaks HTTP to it.

mod helpers;

mod admissions;
mod audit;
mod auth;
mod authorise_first;
mod bad_day;
mod browser;
mod cache;
mod cetrs;
mod cli;
mod contacts;
mod dashboard;
mod demo;
mod discharge;
mod duplicates;
mod errors;
mod escalation;
mod first_hour;
mod forms;
mod governance;
mod hardening;
mod health;
mod import_caps;
mod import_page;
mod imports;
mod instances;
mod involvements;
mod keyworkers;
mod openapi;
mod pages;
mod people;
mod permissions;
mod queries;
mod record_forms;
mod register;
mod reports;
mod sessions;
mod smtp_sink;
mod throttling;
mod transitions;
mod typed_rows;
mod users;
mod web;
mod work_follows;
