//! Who a form is about, and who its work may be given to.

use super::session::Page;
use crate::error::ApiError;
use crate::people::service as people;
use crate::users::model::UserSummary;

/// The person a form is about, as its heading and back link show them.
pub struct About {
    pub person_id: String,
    pub name: String,
    pub keyworker: Option<UserSummary>,
}

/// The person, if this viewer may see them (a keyworker outside their caseload gets 404).
pub async fn about(page: &Page, person_id: &str) -> Result<About, ApiError> {
    let id = person_id.to_string();
    page.read(move |c, a| {
        let person = people::read(c, a, &id)?;
        Ok(About {
            name: format!("{} {}", person.given_name, person.family_name),
            keyworker: person.keyworker,
            person_id: id,
        })
    })
    .await
}

/// The people a C(E)TR action or a discharge point is usually given to, without listing every
/// user of the service: the viewer, the person's keyworker, and whoever owns it now. (The
/// service still checks that the owner may see the person.)
pub fn owners(page: &Page, about: &About, current: Option<&UserSummary>) -> Vec<UserSummary> {
    let me = UserSummary {
        id: page.user.id.clone(),
        username: page.user.username.clone(),
        display_name: format!("Me ({})", page.user.username),
        role: page.user.role,
    };
    let mut out = vec![me];
    for u in [about.keyworker.as_ref(), current].into_iter().flatten() {
        if !out.iter().any(|o| o.id == u.id) {
            out.push(u.clone());
        }
    }
    out
}

/// The names of the people a list's rows are about, for rows that carry only an id.
pub struct Names(std::collections::HashMap<String, String>);

impl Names {
    /// `ids` sorted and without repeats.
    pub fn of(conn: &mut crate::db::AnyConnection, ids: &[String]) -> Result<Names, ApiError> {
        Ok(Names(
            crate::people::store::find_many(conn, ids)?
                .into_iter()
                .map(|(id, p)| (id, format!("{} {}", p.given_name, p.family_name)))
                .collect(),
        ))
    }

    /// Adds the references of the referrals these alerts are about when their person is not
    /// recorded yet: such an alert names its referral.
    pub fn with_referrals(
        mut self,
        conn: &mut crate::db::AnyConnection,
        alerts: &[crate::alerts::model::AlertView],
    ) -> Result<Names, ApiError> {
        let ids: Vec<String> = alerts
            .iter()
            .filter(|al| al.person_id.is_none())
            .map(|al| al.subject_id.clone())
            .collect();
        for (id, reference) in crate::referrals::store::references(conn, &ids)? {
            self.0.insert(id, format!("Referral {reference}"));
        }
        Ok(self)
    }

    /// Whom an alert is about: the person, or the referral not yet accepted.
    pub fn of_alert(&self, al: &crate::alerts::model::AlertView) -> String {
        match &al.person_id {
            Some(person) => self.of_person(person),
            None => self
                .0
                .get(&al.subject_id)
                .cloned()
                .unwrap_or_else(|| "A referral".into()),
        }
    }

    /// "Given Family", or words that still lead to the record.
    pub fn of_person(&self, person_id: &str) -> String {
        self.0
            .get(person_id)
            .cloned()
            .unwrap_or_else(|| "Their record".into())
    }
}
