//! Which door a session was opened through.

/// API sessions hold refresh tokens; web sessions are a page's cookie. Both live in one table
/// so every rule that ends sessions (logout everywhere, reset, deactivation) ends both, but a
/// cookie never works as a refresh token, nor a refresh token as a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Api,
    Web,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Api => "api",
            SessionKind::Web => "web",
        }
    }

    pub fn parse(s: &str) -> Option<SessionKind> {
        match s {
            "api" => Some(SessionKind::Api),
            "web" => Some(SessionKind::Web),
            _ => None,
        }
    }
}
