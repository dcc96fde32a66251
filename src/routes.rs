//! Every route of the service, in one table. Fixed paths come before parameterised ones.

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    admissions, alerts, audit, auth, cetrs, contacts, discharge, escalation, governance, health,
    imports, involvements, keyworkers, notify, people, referrals, register, reports, transitions,
    users,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(health::metrics)
        .service(health::openapi_yaml)
        .service(
            scope::scope("/api/v1")
                .service(auth::routes::login)
                .service(auth::routes::refresh)
                .service(auth::routes::logout)
                .service(auth::routes::me)
                .service(auth::routes::change_password)
                // the busiest route first: actix tries routes in order
                .service(register::routes::list_register)
                .service(users::routes::list_users)
                .service(users::routes::create_user)
                .service(users::routes::get_user)
                .service(users::routes::update_user)
                .service(audit::routes::list_audit)
                .service(audit::routes::access_log)
                .service(governance::routes::subject_access)
                .service(people::routes::create_person)
                .service(people::routes::list_people)
                .service(people::routes::get_person)
                .service(people::routes::update_person)
                .service(people::routes::merge_person)
                .service(keyworkers::routes::assign_keyworker)
                .service(keyworkers::routes::unassign_keyworker)
                .service(keyworkers::routes::keyworker_history)
                .service(keyworkers::routes::caseload)
                .service(contacts::routes::create_contact)
                .service(contacts::routes::list_contacts)
                .service(contacts::routes::get_contact)
                .service(involvements::routes::create_involvement)
                .service(involvements::routes::list_involvements)
                .service(involvements::routes::get_involvement)
                .service(involvements::routes::update_involvement)
                .service(transitions::routes::put_transition_plan)
                .service(transitions::routes::get_transition_plan)
                .service(referrals::routes::create_referral)
                .service(referrals::routes::list_referrals)
                .service(referrals::routes::get_referral)
                .service(referrals::routes::update_referral)
                .service(admissions::routes::create_admission)
                .service(admissions::routes::list_admissions)
                .service(admissions::routes::get_admission)
                .service(admissions::routes::update_admission)
                .service(admissions::routes::create_visit)
                .service(admissions::routes::list_visits)
                .service(cetrs::routes::create_cetr)
                .service(cetrs::routes::list_cetrs)
                .service(cetrs::routes::get_cetr)
                .service(cetrs::routes::update_cetr)
                .service(cetrs::routes::create_action)
                .service(cetrs::routes::list_actions)
                .service(cetrs::routes::get_action)
                .service(cetrs::routes::update_action)
                .service(discharge::routes::create_plan)
                .service(discharge::routes::get_plan_for_admission)
                .service(discharge::routes::get_plan)
                .service(discharge::routes::update_plan)
                .service(discharge::routes::update_point)
                .service(discharge::routes::create_review)
                .service(discharge::routes::list_reviews)
                .service(alerts::routes::list_alerts)
                .service(alerts::routes::get_alert)
                .service(alerts::routes::acknowledge_alert)
                .service(escalation::routes::run_escalations)
                .service(notify::routes::list_notifications)
                .service(reports::routes::summary)
                .service(imports::routes::import)
                .service(register::routes::open_entry)
                // before /register/{id}, which would otherwise take "export.csv" as an id
                .service(reports::routes::export_register)
                .service(register::routes::get_entry)
                .service(register::routes::update_entry)
                .service(register::routes::entry_history)
                .service(register::routes::record_review)
                .service(register::routes::list_reviews)
                .service(register::routes::get_review)
                .service(register::routes::close_entry),
        );
}
