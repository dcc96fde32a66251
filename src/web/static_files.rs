//! `/assets/{name}`: the hashed files of `web::assets`.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};

use super::assets::ASSETS;

/// A hashed file, for a year; no sign-in needed (nothing personal is in them).
#[get("/assets/{name}")]
pub async fn serve(name: web::Path<String>) -> HttpResponse {
    match ASSETS.get(&name) {
        Some(asset) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, asset.content_type))
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .body(asset.bytes.clone()),
        None => super::error::not_found_page(),
    }
}
