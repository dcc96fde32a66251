//! What the layout needs around every page: the assets, the signed-in user's name, the
//! navigation for their role and the sign-out form's token.

use super::assets::ASSETS;
use crate::domain::Role;

pub struct NavItem {
    pub href: &'static str,
    pub text: &'static str,
    pub current: bool,
}

pub struct Chrome {
    /// The signed-in user's username; `None` on sign-in and error pages.
    pub username: Option<String>,
    pub nav: Vec<NavItem>,
    pub csrf: String,
}

/// The navigation of a role, in the order its users reach for it.
pub fn navigation(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::Keyworker => &[
            ("/my-work", "My work"),
            ("/register", "Register"),
            ("/referrals", "Referrals"),
        ],
        Role::Coordinator | Role::Manager => &[
            ("/register", "Register"),
            ("/referrals", "Referrals"),
            ("/dashboard", "Dashboard"),
            ("/reports", "Reports"),
            ("/alerts", "Alerts"),
            ("/my-work", "My work"),
        ],
        Role::Clinician => &[
            ("/register", "Register"),
            ("/my-work", "My work"),
            ("/referrals", "Referrals"),
        ],
        Role::Admin => &[("/admin/users", "Users")],
    }
}

impl Chrome {
    pub fn anonymous() -> Chrome {
        Chrome {
            username: None,
            nav: Vec::new(),
            csrf: String::new(),
        }
    }

    /// For `username` with `role`, on a page under the navigation item `section` (its
    /// path), with the session's form token.
    pub fn signed_in(username: &str, role: Role, csrf: &str, section: &str) -> Chrome {
        Chrome {
            username: Some(username.to_string()),
            nav: navigation(role)
                .iter()
                .map(|&(href, text)| NavItem {
                    href,
                    text,
                    current: href == section,
                })
                .collect(),
            csrf: csrf.to_string(),
        }
    }

    pub fn asset(&self, name: &str) -> &'static str {
        ASSETS.url(name)
    }
}
