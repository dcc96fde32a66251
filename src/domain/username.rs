/// A login name: 3 to 64 characters of lower-case letters, digits, `.`, `_` and `-`,
/// starting with a letter or digit. Stored lower-case so `Alice` and `alice` are one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, &'static str> {
        let name = raw.trim().to_lowercase();
        let len = name.chars().count();
        if !(3..=64).contains(&len) {
            return Err("must be 3 to 64 characters");
        }
        let mut chars = name.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if !first_ok || !rest_ok {
            return Err(
                "may contain only a-z, 0-9, '.', '_' and '-', starting with a letter or digit",
            );
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        let cases: &[(&str, Option<&str>)] = &[
            ("alice", Some("alice")),
            ("  Alice.Smith ", Some("alice.smith")),
            ("kw-01_b", Some("kw-01_b")),
            ("ab", None),
            (&"a".repeat(65), None),
            ("_alice", None),
            ("alice smith", None),
            ("alice@nhs.net", None),
            ("élodie", None),
        ];
        for (raw, expected) in cases {
            let got = Username::parse(raw).ok().map(Username::into_inner);
            assert_eq!(got.as_deref(), *expected, "input {raw:?}");
        }
    }
}
