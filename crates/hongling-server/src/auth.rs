//! Passwords, session tokens and the bearer-token extractor.
//!
//! Passwords are hashed with argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane).
//! A session token is 32 random bytes shown to the client once; the database keeps only
//! its SHA-256, so a copy of the database cannot be used to log in.

use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use base64::Engine;
use hongling_core::wire::SessionEnding;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::AppError;
use crate::store::{SessionLookup, SessionRow, Store};

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

thread_local! {
    /// Each hashing thread's argon2 memory (19 MiB), kept for its next hash: allocating
    /// and freeing it per hash leaves glibc holding hundreds of MiB (BENCHMARKS.md).
    static MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The raw argon2 output of `password` under `hasher`, `len` bytes, in this thread's
/// reused memory.
fn raw_hash(
    hasher: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    len: usize,
) -> argon2::password_hash::Result<argon2::password_hash::Output> {
    MEMORY.with_borrow_mut(|memory| {
        let blocks = hasher.params().block_count();
        if memory.len() != blocks {
            memory.clear();
            memory.resize(blocks, argon2::Block::default());
        }
        argon2::password_hash::Output::init_with(len, |out| {
            Ok(hasher.hash_password_into_with_memory(password, salt, out, &mut memory[..])?)
        })
    })
}

/// Hashes a password into a PHC string.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let cannot = |e| anyhow::anyhow!("cannot hash a password: {e}");
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.decode_b64(&mut salt_bytes).map_err(cannot)?;
    let hasher = argon2();
    let output = raw_hash(
        &hasher,
        password.as_bytes(),
        raw_salt,
        Params::DEFAULT_OUTPUT_LEN,
    )
    .map_err(cannot)?;
    Ok(PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: argon2::password_hash::ParamsString::try_from(hasher.params()).map_err(cannot)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string())
}

/// Checks a password against a PHC string (with the parameters the string names, so an
/// older hash still verifies).
pub fn verify_password(password: &str, phc: &str) -> bool {
    let check = || -> argon2::password_hash::Result<bool> {
        let hash = PasswordHash::new(phc)?;
        let expected = hash.hash.ok_or(argon2::password_hash::Error::Password)?;
        let salt = hash.salt.ok_or(argon2::password_hash::Error::SaltInvalid(
            argon2::password_hash::errors::InvalidValue::Malformed,
        ))?;
        let hasher = Argon2::new(
            Algorithm::try_from(hash.algorithm)?,
            hash.version.map_or(Ok(Version::V0x13), Version::try_from)?,
            Params::try_from(&hash)?,
        );
        let mut salt_bytes = [0u8; 64];
        let raw_salt = salt.decode_b64(&mut salt_bytes)?;
        // `Output`'s equality is constant-time.
        Ok(raw_hash(&hasher, password.as_bytes(), raw_salt, expected.len())? == expected)
    };
    check().unwrap_or(false)
}

/// Where argon2id hashes run: a pool of one thread per core, and at most
/// [`WAITING_PER_CORE`] per core waiting; beyond that a request is refused at once with
/// `503 busy`, so a flood of logins can neither pile up unbounded work nor fill the
/// server's in-flight places.
///
/// Why a pool of its own and not `spawn_blocking`: each hash needs 19 MiB, and glibc
/// keeps freed blocks in the arena of the thread that used them; spread over tokio's
/// blocking threads that measured 637 MiB resident after 400 logins. On a fixed pool,
/// each thread reusing its own block ([`MEMORY`]), it is 67 MiB (BENCHMARKS.md, "Login
/// refusals").
#[derive(Debug)]
pub struct Hashing {
    pool: rayon::ThreadPool,
    queue: tokio::sync::Semaphore,
}

/// How many hashes may wait per core before further ones are refused.
pub const WAITING_PER_CORE: usize = 32;

impl Hashing {
    /// One hash at a time per core of this machine.
    pub fn for_this_machine() -> Hashing {
        Hashing::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    pub fn new(cores: usize) -> Hashing {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(cores)
            .thread_name(|i| format!("argon2id-{i}"))
            // A panic drops the job's reply, which answers 500; it must not abort.
            .panic_handler(|_| {})
            .build()
            .expect("the hashing threads start");
        Hashing {
            pool,
            queue: tokio::sync::Semaphore::new(cores * (WAITING_PER_CORE + 1)),
        }
    }
}

/// Runs an argon2id hash or check on the hashing pool, in its turn (see [`Hashing`]).
pub async fn slow_hash<T: Send + 'static>(
    hashing: &Hashing,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let Ok(_place) = hashing.queue.try_acquire() else {
        return Err(AppError::Busy);
    };
    let (done, result) = tokio::sync::oneshot::channel();
    hashing.pool.spawn(move || {
        let _ = done.send(work());
    });
    result
        .await
        .map_err(|_| AppError::Internal(anyhow::anyhow!("a password hash did not finish")))
}

/// A new random session token (URL-safe base64 of 32 bytes).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The form in which a token is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The session of a district-committee account; others get 403.
#[derive(Debug, Clone)]
pub struct Committee(pub SessionRow);

impl<S: Store> FromRequestParts<AppState<S>> for Committee {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let Authenticated(session) = Authenticated::from_request_parts(parts, state).await?;
        let admin = hongling_core::Grant {
            role: hongling_core::Role::DistrictCommittee,
            scope: hongling_core::Scope::District,
        };
        if session.account.grants.contains(&admin) {
            Ok(Committee(session))
        } else {
            Err(AppError::client(
                StatusCode::FORBIDDEN,
                "forbidden",
                "只有区委非公工委可以做这件事",
            ))
        }
    }
}

/// The session of the request's bearer token; rejects the request without one, and
/// while the account must change its password (403 `password_change_required`).
#[derive(Debug, Clone)]
pub struct Authenticated(pub SessionRow);

impl<S: Store> FromRequestParts<AppState<S>> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let AnySession(session, _) = AnySession::from_request_parts(parts, state).await?;
        if session.must_change_password {
            return Err(AppError::client(
                StatusCode::FORBIDDEN,
                "password_change_required",
                "请先修改密码：此密码由他人设置，只能用来设置新密码",
            ));
        }
        Ok(Authenticated(session))
    }
}

/// A live session and its token, even one that must change its password first: only
/// the password change takes this.
#[derive(Debug, Clone)]
pub struct AnySession(pub SessionRow, pub String);

impl<S: Store> FromRequestParts<AppState<S>> for AnySession {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| AppError::unauthorized("请先登录"))?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or_else(|| AppError::unauthorized("登录凭据格式不正确，请重新登录"))?;
        let idle = chrono::Duration::days(i64::from(state.session_idle_days));
        match state.store.session(&token_hash(token), idle).await? {
            SessionLookup::Live(session) => {
                if let Some(slot) = parts.extensions.get::<crate::running::AccountSlot>() {
                    slot.set(&session.account.username);
                }
                Ok(AnySession(session, token.to_owned()))
            }
            SessionLookup::Unknown => Err(AppError::unauthorized("登录已失效，请重新登录")),
            SessionLookup::Ended => Err(AppError::client(
                StatusCode::UNAUTHORIZED,
                SessionEnding::SessionEnded.code(),
                "登录已结束（已退出、长期未使用或已过期），请重新登录；本设备上的变更会保留",
            )),
            SessionLookup::AccountDisabled => Err(AppError::client(
                StatusCode::FORBIDDEN,
                SessionEnding::AccountDisabled.code(),
                "该账号已停用，本设备上的变更暂不能同步，请联系区委非公工委",
            )),
            SessionLookup::DeviceRevoked => Err(AppError::client(
                StatusCode::FORBIDDEN,
                SessionEnding::DeviceRevoked.code(),
                "此设备已被停用，本设备上的变更暂不能同步，请联系区委非公工委",
            )),
            SessionLookup::PasswordChanged => Err(AppError::client(
                StatusCode::UNAUTHORIZED,
                SessionEnding::PasswordChanged.code(),
                "账号密码已修改，请用新密码重新登录；本设备上的变更会保留",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_agree_with_the_argon2_crates_own_path() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = hash_password("hongling2026").unwrap();
        assert!(
            argon2()
                .verify_password(b"hongling2026", &PasswordHash::new(&ours).unwrap())
                .is_ok()
        );
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let theirs = argon2()
            .hash_password(b"hongling2026", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password("hongling2026", &theirs));
        assert!(!verify_password("hongling2027", &theirs));
        assert!(!verify_password("hongling2026", "not a hash"));
    }

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let h = hash_password("hongling2026").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("hongling2026", &h));
        assert!(!verify_password("hongling2025", &h));
        assert!(!verify_password("hongling2026", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
