//! `dsr`: the Dynamic Support Register service.

pub mod access;
pub mod admissions;
pub mod alerts;
pub mod audit;
pub mod auth;
pub mod cetrs;
pub mod config;
pub mod contacts;
pub mod db;
pub mod discharge;
pub mod domain;
pub mod error;
pub mod escalation;
pub mod health;
pub mod http;
pub mod imports;
pub mod keyworkers;
pub mod metrics;
pub mod notify;
pub mod openapi;
pub mod people;
pub mod register;
pub mod reports;
pub mod startup;
pub mod telemetry;
pub mod users;
