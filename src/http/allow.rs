//! Which methods a path takes, from the OpenAPI document (built from the same route table
//! the server serves), so a known path asked with another method answers 405 with `Allow`
//! rather than 404: "wrong method" is a mistake a client can fix, "no such thing" is not.

use utoipa::openapi::path::PathItem;
use utoipa::openapi::OpenApi;

/// The methods of the documented path that `path` matches best (most literal segments, so
/// `/register/export.csv` is itself and not `/register/{id}`); `None` for an unknown path.
pub fn allowed_methods(doc: &OpenApi, path: &str) -> Option<Vec<&'static str>> {
    let wanted: Vec<&str> = path.split('/').collect();
    let mut best: Option<(usize, &PathItem)> = None;
    for (template, item) in &doc.paths.paths {
        let Some(score) = literal_matches(template, &wanted) else {
            continue;
        };
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, item));
        }
    }
    best.map(|(_, item)| methods_of(item))
}

/// How many of `template`'s segments match `wanted` literally, if every one matches.
fn literal_matches(template: &str, wanted: &[&str]) -> Option<usize> {
    let segments: Vec<&str> = template.split('/').collect();
    if segments.len() != wanted.len() {
        return None;
    }
    let mut literal = 0;
    for (t, w) in segments.iter().zip(wanted) {
        if t.starts_with('{') && t.ends_with('}') {
            if w.is_empty() {
                return None;
            }
        } else if t == w {
            literal += 1;
        } else {
            return None;
        }
    }
    Some(literal)
}

fn methods_of(item: &PathItem) -> Vec<&'static str> {
    [
        ("GET", item.get.is_some()),
        ("POST", item.post.is_some()),
        ("PUT", item.put.is_some()),
        ("PATCH", item.patch.is_some()),
        ("DELETE", item.delete.is_some()),
    ]
    .into_iter()
    .filter_map(|(method, has)| has.then_some(method))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathsBuilder};
    use utoipa::openapi::OpenApiBuilder;

    fn doc(paths: &[(&str, &[HttpMethod])]) -> OpenApi {
        let mut builder = PathsBuilder::new();
        for (path, methods) in paths {
            for method in *methods {
                builder = builder.path(
                    *path,
                    PathItem::new(method.clone(), OperationBuilder::new().build()),
                );
            }
        }
        OpenApiBuilder::new().paths(builder.build()).build()
    }

    #[test]
    fn a_known_path_lists_its_methods_and_an_unknown_one_none() {
        use HttpMethod::*;
        let d = doc(&[
            ("/api/v1/people", &[Get, Post]),
            ("/api/v1/people/{id}", &[Get, Patch]),
            ("/api/v1/register/{id}", &[Get, Patch]),
            ("/api/v1/register/export.csv", &[Get]),
        ]);
        let cases: [(&str, Option<Vec<&str>>); 6] = [
            ("/api/v1/people", Some(vec!["GET", "POST"])),
            ("/api/v1/people/", None),
            ("/api/v1/people/0192", Some(vec!["GET", "PATCH"])),
            ("/api/v1/register/export.csv", Some(vec!["GET"])),
            ("/api/v1/people/0192/nothing", None),
            ("/api/v1/nothing", None),
        ];
        for (path, want) in cases {
            assert_eq!(allowed_methods(&d, path), want, "{path}");
        }
    }
}
