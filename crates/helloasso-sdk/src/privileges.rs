//! The privileges a refused operation needs, as HelloAsso's spec names them,
//! held in a few bits so that an [`Error`](crate::Error) stays small.

use std::fmt;

use helloasso_raw::{PRIVILEGES, operation_privileges};

// One bit per privilege the spec names.
const _: () = assert!(PRIVILEGES.len() <= 16, "Privileges holds 16 bits");

/// A set of HelloAsso privileges (`RefundManagement`, `AccessTransactions`,
/// ...), the names HelloAsso's spec gives them.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Privileges(u16);

impl Privileges {
    /// The privileges HelloAsso's spec says `operation_id` needs.
    pub(crate) fn of_operation(operation_id: &str) -> Self {
        let bits = operation_privileges(operation_id)
            .iter()
            .filter_map(|name| PRIVILEGES.iter().position(|p| p == name))
            .fold(0, |bits, i| bits | 1 << i);
        Privileges(bits)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether the set holds the privilege named `name`.
    pub fn contains(self, name: &str) -> bool {
        self.iter().any(|p| p == name)
    }

    /// The names, in alphabetical order.
    pub fn iter(self) -> impl Iterator<Item = &'static str> {
        PRIVILEGES
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & 1 << i != 0)
            .map(|(_, name)| *name)
    }
}

impl fmt::Debug for Privileges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// The names joined by " and ".
impl fmt::Display for Privileges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" and ")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Privileges;

    #[test]
    fn a_refund_needs_refund_management_and_an_unknown_operation_nothing() {
        let refund = Privileges::of_operation("refund_payment");
        assert_eq!(refund.iter().collect::<Vec<_>>(), ["RefundManagement"]);
        assert_eq!(refund.to_string(), "RefundManagement");
        assert!(refund.contains("RefundManagement"));
        assert!(Privileges::of_operation("no_such_operation").is_empty());
    }
}
