use actix_web::{get, HttpResponse};

use super::subject_access::{export, SubjectAccess};
use crate::auth::Permission;
use crate::error::ApiResult;
use crate::http::context::Ctx;
use crate::http::extract::Id;

/// Everything held about the person, in one document, for a subject-access request
/// (coordinators, managers). An export for the IG lead to review before anything is
/// disclosed; audited as an export.
#[utoipa::path(
    tag = "audit",
    params(("id" = String, Path, description = "Person id")),
    responses((status = 200, body = SubjectAccess))
)]
#[get("/people/{id}/subject-access")]
pub async fn subject_access(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::PersonAuditRead)?;
    let document = ctx.read(move |c, a| export(c, a, &id.key())).await?;
    Ok(HttpResponse::Ok().json(document))
}
