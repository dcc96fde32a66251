//! Every setting's name, from the compiled-in defaults, so that a key or an environment
//! variable that names none stops start-up instead of being ignored: a misspelt
//! `DSR_ESCALATION__LEVEL2_DAY` would otherwise leave the default escalation in force with
//! nobody told.
//!
//! `config/default.toml` sets every key of [`Settings`](super::Settings) (the struct has no
//! serde defaults and denies unknown fields, so the two cannot drift apart).

use std::collections::{BTreeSet, HashMap};

use config::{Config, File, FileFormat, Value};

use super::{SettingsError, DEFAULTS};

/// Environment variables that are not settings: the config file's name, and the test and CI
/// switches, which are read by the tests and scripts and never checked here.
const RESERVED: [&str; 3] = ["DSR_CONFIG", "DSR_TEST_", "DSR_CI_"];

/// Every setting as a dotted key (`server.bind`, `register.review_cadence_days.red`).
pub fn known_keys() -> BTreeSet<String> {
    let table = Config::builder()
        .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
        .build()
        .and_then(|c| c.try_deserialize::<config::Map<String, Value>>())
        .unwrap_or_default();
    let mut keys = BTreeSet::new();
    flatten("", table, &mut keys);
    keys
}

fn flatten(prefix: &str, table: config::Map<String, Value>, out: &mut BTreeSet<String>) {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}.{name}")
        };
        match value.clone().into_table() {
            Ok(inner) if !inner.is_empty() => flatten(&key, inner, out),
            _ => {
                out.insert(key);
            }
        }
    }
}

/// The environment variable that sets `key`: `server.bind` → `DSR_SERVER__BIND`.
pub fn variable_for(key: &str) -> String {
    format!("DSR_{}", key.to_uppercase().replace('.', "__"))
}

/// The closest of `candidates` to `word`, when it is close enough to be a typo of it.
fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn hint(suggestion: Option<&str>) -> String {
    suggestion
        .map(|s| format!(" (did you mean {s}?)"))
        .unwrap_or_default()
}

/// Whether a `DSR_` variable is meant as a setting: shaped `DSR_<SECTION>__<KEY>`, or
/// starting with a section's name (`DSR_SERVER_BIND`, one underscore short). Other `DSR_`
/// names (the browser tests' `DSR_CHROMIUM`) are not settings and are left alone.
fn looks_like_a_setting(rest: &str, sections: &BTreeSet<String>) -> bool {
    rest.contains("__")
        || sections
            .iter()
            .any(|s| rest.to_lowercase().starts_with(&format!("{s}_")))
}

/// The variables of `env` that set settings; the first `DSR_*` variable shaped like a
/// setting that names none is refused.
pub fn settings_variables(
    env: HashMap<String, String>,
) -> Result<HashMap<String, String>, SettingsError> {
    check_environment(env.keys().map(String::as_str))?;
    let keys = known_keys();
    Ok(env
        .into_iter()
        .filter(|(name, _)| {
            name.strip_prefix("DSR_")
                .is_some_and(|rest| keys.contains(&rest.to_lowercase().replace("__", ".")))
        })
        .collect())
}

/// Refuses the first `DSR_*` variable shaped like a setting that names none.
pub fn check_environment<'a>(names: impl Iterator<Item = &'a str>) -> Result<(), SettingsError> {
    let keys = known_keys();
    let sections: BTreeSet<String> = keys
        .iter()
        .filter_map(|k| k.split('.').next().map(String::from))
        .collect();
    let mut names: Vec<&str> = names.collect();
    names.sort_unstable();
    for name in names {
        let Some(rest) = name.strip_prefix("DSR_") else {
            continue;
        };
        if RESERVED.iter().any(|r| name.starts_with(r)) || !looks_like_a_setting(rest, &sections) {
            continue;
        }
        let key = rest.to_lowercase().replace("__", ".");
        if keys.contains(&key) {
            continue;
        }
        let variables: Vec<String> = keys.iter().map(|k| variable_for(k)).collect();
        return Err(SettingsError::Unknown {
            source_name: format!("the environment variable {name}"),
            hint: hint(nearest(name, variables.iter().map(String::as_str))),
        });
    }
    Ok(())
}

/// Refuses the first key in the configuration file `path` that names no setting.
pub fn check_file(path: &str) -> Result<(), SettingsError> {
    let table = Config::builder()
        .add_source(File::with_name(path).required(true))
        .build()?
        .try_deserialize::<config::Map<String, Value>>()?;
    let mut found = BTreeSet::new();
    flatten("", table, &mut found);
    let keys = known_keys();
    match found.iter().find(|k| !keys.contains(*k)) {
        None => Ok(()),
        Some(unknown) => Err(SettingsError::Unknown {
            source_name: format!("the key `{unknown}` in {path}"),
            hint: hint(nearest(unknown, keys.iter().map(String::as_str))),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(names: &[&str]) -> Option<String> {
        check_environment(names.iter().copied())
            .err()
            .map(|e| e.to_string())
    }

    #[test]
    fn every_setting_of_the_defaults_is_known() {
        let keys = known_keys();
        for key in [
            "server.bind",
            "database.url",
            "register.review_cadence_days.red",
            "discharge.review_cycle_days",
            "discharge.points",
            "imports.max_rows",
            "web.session_idle_secs",
        ] {
            assert!(keys.contains(key), "{key}");
        }
        assert!(!keys.contains("register"), "sections are not settings");
    }

    /// The README's configuration table names every setting, and nothing else.
    #[test]
    fn the_readme_table_lists_every_setting() {
        let readme = include_str!("../../README.md");
        let table = readme
            .split("| variable | default | meaning |")
            .nth(1)
            .expect("the README has the configuration table");
        let listed: BTreeSet<String> = table
            .lines()
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .filter_map(|l| l.split('`').nth(1).map(String::from))
            .collect();
        let settings: BTreeSet<String> = known_keys().iter().map(|k| variable_for(k)).collect();
        let missing: Vec<_> = settings.difference(&listed).collect();
        let extra: Vec<_> = listed.difference(&settings).collect();
        assert!(
            missing.is_empty(),
            "settings missing from the README table: {missing:?}"
        );
        assert!(
            extra.is_empty(),
            "README rows that name no setting: {extra:?}"
        );
    }

    #[test]
    fn misspelt_variables_are_refused_with_the_nearest_setting() {
        let cases = [
            ("DSR_SERVR__BIND", "DSR_SERVER__BIND"),
            ("DSR_SERVER_BIND", "DSR_SERVER__BIND"),
            ("DSR_DATABASE__URI", "DSR_DATABASE__URL"),
            ("DSR_ESCALATION__LEVEL2_DAY", "DSR_ESCALATION__LEVEL2_DAYS"),
            (
                "DSR_DISCHARGE__REVIEW_CYCLE",
                "DSR_DISCHARGE__REVIEW_CYCLE_DAYS",
            ),
        ];
        for (typo, meant) in cases {
            let message = refusal(&[typo]).unwrap_or_else(|| panic!("{typo} is refused"));
            assert!(message.contains(typo), "{message}");
            assert!(
                message.contains(&format!("did you mean {meant}?")),
                "{typo}: {message}"
            );
            assert!(message.contains("README.md"), "{message}");
        }
        let far = refusal(&["DSR_ZZZ__QQQ"]).unwrap();
        assert!(!far.contains("did you mean"), "{far}");
    }

    #[test]
    fn settings_reserved_names_and_other_variables_pass() {
        assert_eq!(
            refusal(&[
                "DSR_SERVER__BIND",
                "DSR_REGISTER__REVIEW_CADENCE_DAYS__RED",
                "DSR_CONFIG",
                "DSR_TEST_DATABASE_URL",
                "DSR_TEST_ANYTHING__AT_ALL",
                "DSR_CI_PGPORT",
                "DSR_BROWSER_TESTS",
                "DSR_CHROMIUM",
                "PATH",
            ]),
            None
        );
    }

    #[test]
    fn a_file_key_that_names_no_setting_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dsr.toml");
        std::fs::write(
            &path,
            "[server]\nbind = \"127.0.0.1:1\"\n[escalation]\nlevel2_day = 3\n",
        )
        .unwrap();
        let message = check_file(path.to_str().unwrap()).unwrap_err().to_string();
        assert!(message.contains("`escalation.level2_day`"), "{message}");
        assert!(
            message.contains("did you mean escalation.level2_days?"),
            "{message}"
        );
        std::fs::write(&path, "[servr]\nbind = \"127.0.0.1:1\"\n").unwrap();
        let message = check_file(path.to_str().unwrap()).unwrap_err().to_string();
        assert!(message.contains("did you mean server.bind?"), "{message}");
        std::fs::write(&path, "[server]\nbind = \"127.0.0.1:1\"\n").unwrap();
        assert!(check_file(path.to_str().unwrap()).is_ok());
    }
}
