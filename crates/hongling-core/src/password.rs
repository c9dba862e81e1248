//! The one password rule, wherever a password is set: `create-admin` and `reset-password`
//! on the server's command line, an administrator creating or resetting an account, and a
//! user changing their own password in 设置.
//!
//! Why here: the tablet checks a new password as it is typed and the server decides for
//! good; both must say the same thing. The list of common passwords is the server's (it is
//! too large to ship in the app), so the check takes it as a function: the app passes one
//! that knows no passwords and learns of a common one from the server's answer.

/// Fewest characters (not bytes) a password may have.
pub const MIN_CHARS: usize = 12;

/// Most bytes a password may have; longer ones are refused before they are hashed.
pub const MAX_BYTES: usize = 256;

/// Most bytes the username of a login may have. Real ones have at most 32; the margin
/// lets a mistyped one get the usual answer, and anything longer (with a password over
/// [`MAX_BYTES`]) is refused before the server looks anything up or hashes anything.
pub const MAX_LOGIN_USERNAME_BYTES: usize = 64;

/// Whether `username` may name an account: 1 to 32 letters, digits or `_ - .`.
pub fn username_is_valid(username: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.';
    !username.is_empty() && username.len() <= 32 && username.chars().all(allowed)
}

/// What to say of a username that [`username_is_valid`] refuses.
pub const USERNAME_RULE: &str = "用户名须为 1 到 32 位字母、数字或 _ - .";

/// Why a password may not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("密码至少 {MIN_CHARS} 位")]
    TooShort,
    #[error("密码不能超过 {MAX_BYTES} 字节")]
    TooLong,
    #[error("密码不能与用户名相同")]
    SameAsUsername,
    #[error("这是常见密码，很容易被猜中，请换一个")]
    Common,
}

impl PasswordProblem {
    /// The error code the server answers with (`400`).
    pub fn code(self) -> &'static str {
        "weak_password"
    }
}

/// Checks a new password for `username`. `is_common` says whether a password (given in
/// lower case) is in the list of common passwords.
pub fn check(
    username: &str,
    password: &str,
    is_common: impl Fn(&str) -> bool,
) -> Result<(), PasswordProblem> {
    if password.len() > MAX_BYTES {
        return Err(PasswordProblem::TooLong);
    }
    if password.chars().count() < MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    let lower = password.to_lowercase();
    let user = username.trim().to_lowercase();
    if !user.is_empty() && (lower == user || lower.contains(&user) && user.len() * 2 >= lower.len())
    {
        return Err(PasswordProblem::SameAsUsername);
    }
    if is_common(&lower) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> bool {
        false
    }

    #[test]
    fn twelve_characters_are_the_least_counted_as_characters_not_bytes() {
        assert_eq!(
            check("li", "abcdefghijk", none),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(check("li", "abcdefghijkl", none), Ok(()));
        // Twelve Chinese characters are twelve, though they are 36 bytes.
        assert_eq!(check("li", "红领认证党务工作者培育库", none), Ok(()));
        assert_eq!(
            check("li", "红领认证党务工作者培育", none),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check("li", &"x".repeat(257), none),
            Err(PasswordProblem::TooLong)
        );
    }

    #[test]
    fn the_username_is_no_password_in_any_case_or_barely_padded() {
        assert_eq!(
            check("zhidao01zhidao01", "ZHIDAO01ZHIDAO01", none),
            Err(PasswordProblem::SameAsUsername)
        );
        assert_eq!(
            check("zhidao0001", "zhidao000199", none),
            Err(PasswordProblem::SameAsUsername)
        );
        // A long password that merely contains a short username is fine.
        assert_eq!(check("li", "li-walks-to-the-river", none), Ok(()));
    }

    #[test]
    fn usernames_are_short_and_plain() {
        assert!(username_is_valid("zhidao01"));
        assert!(username_is_valid("li.wen-hua_2"));
        assert!(!username_is_valid(""));
        assert!(!username_is_valid("李文华"));
        assert!(!username_is_valid(&"a".repeat(33)));
    }

    #[test]
    fn a_common_password_is_refused_whatever_its_case() {
        let common = |p: &str| p == "qwertyuiop123";
        assert_eq!(
            check("li", "QwertyUiop123", common),
            Err(PasswordProblem::Common)
        );
        assert_eq!(check("li", "qwertyuiop124", common), Ok(()));
    }
}
