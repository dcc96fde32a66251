//! `/`: each role's start page; and the admins' list of users.

use actix_web::get;
use askama::Template;

use super::chrome::Chrome;
use super::error::{ok, PageResult};
use super::format::Words;
use super::respond::see_other;
use super::session::Page;
use crate::auth::Permission;
use crate::domain::Role;
use crate::http::Page as Paging;
use crate::users::model::{UserQuery, UserView};
use crate::users::service as users;

/// Where a role starts (ui.md): keyworkers on their work, admins on the users, everyone
/// else on the board.
pub fn start_page(role: Role) -> &'static str {
    match role {
        Role::Keyworker => "/my-work",
        Role::Admin => "/admin/users",
        Role::Coordinator | Role::Manager | Role::Clinician => "/register",
    }
}

#[get("/")]
pub async fn home(page: Page) -> PageResult {
    Ok(see_other(start_page(page.user.role)))
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserView>,
    total: i64,
    done: Option<&'static str>,
}

#[derive(serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

#[get("/admin/users")]
pub async fn admin_users(page: Page, shown: actix_web::web::Query<DoneQuery>) -> PageResult {
    page.require(Permission::UsersWrite)?;
    let query = UserQuery {
        role: None,
        active: None,
    };
    let all = Paging {
        limit: 500,
        offset: 0,
    };
    let list = page.read(move |c, _| users::list(c, query, all)).await?;
    let view = UsersPage {
        chrome: page.chrome("/admin/users"),
        total: list.total,
        users: list.items,
        done: match shown.done.as_deref() {
            Some("created") => Some("User created."),
            Some("updated") => Some("User changed."),
            _ => None,
        },
    };
    ok(view.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_starts_where_its_work_is() {
        for (role, start) in [
            (Role::Keyworker, "/my-work"),
            (Role::Admin, "/admin/users"),
            (Role::Coordinator, "/register"),
            (Role::Manager, "/register"),
            (Role::Clinician, "/register"),
        ] {
            assert_eq!(start_page(role), start);
        }
    }
}
