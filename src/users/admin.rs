//! An admin's two user writes over the request context, shared by the API and the pages: the
//! password is checked and hashed off the async workers, and a reset tells the user by email in
//! the background (a slow or absent mail server must not hold up the admin).

use super::model::{CreateUserRequest, UpdateUserRequest};
use super::service::{self, NewUser, UserPatch};
use super::store::UserRow;
use crate::auth::Permission;
use crate::error::ApiError;
use crate::http::context::Ctx;
use crate::http::IfMatch;
use crate::notify::account::tell_password_reset;

/// Creates a user (the caller has checked `Permission::UsersWrite`).
pub async fn create(ctx: &Ctx, req: CreateUserRequest) -> Result<UserRow, ApiError> {
    ctx.require(Permission::UsersWrite)?;
    let new = NewUser::hashed(req).await?;
    ctx.write(|c, a| service::create(c, &a.audit, new)).await
}

/// Changes a user; a new password is an admin's reset.
pub async fn update(
    ctx: &Ctx,
    id: String,
    if_match: IfMatch,
    req: UpdateUserRequest,
) -> Result<UserRow, ApiError> {
    ctx.require(Permission::UsersWrite)?;
    let patch = UserPatch::hashed(req).await?;
    let reset = patch.password_hash.is_some();
    let row = ctx
        .write(move |c, a| service::update(c, &a.audit, &id, &if_match, patch))
        .await?;
    if reset {
        let (mailer, settings) = (ctx.state().escalator.mailer.clone(), ctx.settings.clone());
        let to = row.email.clone();
        actix_web::rt::spawn(async move { tell_password_reset(&mailer, &settings, &to).await });
    }
    Ok(row)
}
