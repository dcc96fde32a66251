//! Secrets the service keeps itself when none is configured (the JWT signing secret, the
//! audit seal key): generated once into the data directory, readable only by their owner.

use std::io::Write;
use std::path::Path;

use rand::RngCore;

/// `configured` when set; else the secret in `path`, generated there on first use (with a
/// warning naming the setting, `key`, that shares one secret between instances).
pub fn configured_or_kept(configured: &str, path: &Path, key: &str) -> anyhow::Result<Vec<u8>> {
    if !configured.is_empty() {
        return Ok(configured.as_bytes().to_vec());
    }
    if path.exists() {
        let secret = std::fs::read_to_string(path)?.trim().to_string();
        anyhow::ensure!(
            secret.len() >= 32,
            "{} holds a secret under 32 bytes; delete it to have a new one generated",
            path.display()
        );
        return Ok(secret.into_bytes());
    }
    let secret = generate_secret_file(path)?;
    let variable = format!("DSR_{}", key.to_uppercase().replace('.', "__"));
    tracing::warn!(
        path = %path.display(),
        "no {key} configured: generated one and stored it in the data directory; set \
         {variable} to share one secret between instances"
    );
    Ok(secret.into_bytes())
}

/// A new random secret (96 hex digits) written to `path`, readable only by its owner.
fn generate_secret_file(path: &Path) -> anyhow::Result<String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut bytes = [0u8; 48];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    write_new_private(path, &secret)?;
    Ok(secret)
}

/// Writes `contents` to a new file at `path` that only its owner may read (mode 0600 from
/// the moment it exists, never widened later); fails if the file exists.
pub fn write_new_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}
