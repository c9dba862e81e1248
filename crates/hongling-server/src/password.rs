//! The server's half of the password rule: the list of common passwords it ships, and
//! the rule of `hongling_core::password` applied with it.

use std::collections::HashSet;
use std::sync::LazyLock;

use hongling_core::password::{self, PasswordProblem};

use crate::error::AppError;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Checks a new password for `username` against the one rule and the common list.
pub fn check(username: &str, password: &str) -> Result<(), PasswordProblem> {
    password::check(username, password, |p| COMMON.contains(p))
}

/// [`check`], as the API's error.
pub fn check_api(username: &str, password: &str) -> Result<(), AppError> {
    check(username, password).map_err(|p| AppError::bad_request(p.code(), p.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_refuses_common_and_demo_passwords() {
        assert!(COMMON.len() > 250);
        assert_eq!(check("li", "1qaz2wsx3edc"), Err(PasswordProblem::Common));
        assert_eq!(check("li", "Woaini1314520"), Err(PasswordProblem::Common));
        assert_eq!(check("li", "hongling2026"), Err(PasswordProblem::Common));
        assert_eq!(
            check("li", "黄河远上白云间一片孤城"),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(check("li", "river-walk-at-dawn"), Ok(()));
    }
}
