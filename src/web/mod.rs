//! The web pages: server-rendered HTML in the NHS design system, over the same services,
//! permission table, caseload scope and audit as the REST API. Handlers stay thin: a page
//! handler authenticates through its session (`session::Page`, the same `Ctx` the API's
//! handlers get), calls the service functions the API calls, and renders a template.

pub mod action;
pub mod alerts;
pub mod assets;
pub mod board;
pub mod cetr;
pub mod charts;
pub mod chrome;
pub mod contact;
pub mod dashboard;
pub mod entry;
pub mod error;
pub mod format;
pub mod forms;
pub mod home;
pub mod import;
pub mod inpatient;
pub mod inpatient_items;
pub mod intake;
pub mod involvement;
pub mod keyworker;
pub mod keyworking;
pub mod merge;
pub mod my_work;
pub mod plan;
pub mod record;
pub mod referral;
pub mod reports;
pub mod respond;
pub mod review;
pub mod risk_factor;
pub mod session;
pub mod sign_in;
pub mod static_files;
pub mod subject;
pub mod transition;
pub mod users;

use actix_web::web::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(static_files::serve)
        .service(home::home)
        .service(sign_in::sign_in_form)
        .service(sign_in::sign_in_submit)
        .service(sign_in::sign_out)
        .service(sign_in::password_form)
        .service(sign_in::change_password)
        .service(board::export_csv)
        .service(import::sample)
        .service(import::import_form)
        .service(import::check_file)
        .service(import::confirm)
        .service(board::board)
        // /referrals/new before /referrals/{id}
        .service(referral::queue)
        .service(referral::new_form)
        .service(referral::make)
        .service(referral::one)
        .service(referral::take_step)
        // /people/new before /people/{id}
        .service(intake::person_form)
        .service(intake::add_person)
        .service(record::person_record)
        .service(merge::merge_form)
        .service(merge::merge)
        // the forms' fixed paths before /people/{id}/{section}
        .service(review::review_form)
        .service(review::record_review)
        .service(review::rating_form)
        .service(review::change_rating)
        .service(review::close_form)
        .service(review::close_entry)
        .service(contact::contact_form)
        .service(contact::log_contact)
        .service(contact::correct_form)
        .service(risk_factor::new_form)
        .service(risk_factor::note)
        .service(risk_factor::end_form)
        .service(risk_factor::end)
        .service(involvement::new_form)
        .service(involvement::add)
        .service(involvement::change_form)
        .service(involvement::change)
        .service(transition::transition_form)
        .service(transition::save_transition_plan)
        .service(keyworker::keyworker_form)
        .service(keyworker::assign_keyworker)
        .service(keyworker::remove_keyworker)
        .service(entry::entry_change_form)
        .service(entry::change_entry)
        .service(intake::details_form)
        .service(intake::change_details)
        .service(intake::entry_form)
        .service(intake::open_entry)
        .service(plan::plan_form)
        .service(plan::create_plan)
        .service(plan::point_form)
        .service(plan::update_point)
        .service(plan::change_plan_form)
        .service(plan::change_plan)
        .service(plan::plan_review_form)
        .service(plan::record_plan_review)
        .service(cetr::cetr_form)
        .service(cetr::record_cetr)
        .service(cetr::change_cetr_form)
        .service(cetr::change_cetr)
        .service(keyworking::refer_form)
        .service(keyworking::refer)
        .service(keyworking::update_form)
        .service(keyworking::update)
        .service(action::new_action_form)
        .service(action::add_action)
        .service(action::action_form)
        .service(action::update_action)
        .service(inpatient::admission_form)
        .service(inpatient::record_admission)
        // before the stay forms' /people/{id}/admissions/{aid}/{kind}, which would take it
        .service(inpatient_items::details_form)
        .service(inpatient_items::save_details)
        .service(inpatient::stay_form)
        .service(inpatient::record_stay)
        .service(record::record_section)
        .service(my_work::my_work)
        .service(dashboard::dashboard)
        .service(dashboard::sweep)
        .service(reports::reports)
        .service(reports::download)
        .service(reports::people)
        .service(reports::assuring_csv)
        .service(alerts::alert_list)
        .service(alerts::alert_page)
        .service(alerts::acknowledge)
        .service(home::admin_users)
        // /admin/users/new before /admin/users/{id}
        .service(users::new_user_form)
        .service(users::create_user)
        .service(users::edit_user_form)
        .service(users::update_user);
}
