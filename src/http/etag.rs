//! Entity tags: a resource's version as the `ETag` and `If-Match` headers carry it.

/// The `ETag` for a resource version: `"<version>"`.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}
