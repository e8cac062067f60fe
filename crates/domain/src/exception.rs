//! Exceptions: what a check found wrong with an order, with a stable code.
//!
//! The codes are a public contract (API, UI, settings, KPIs): never rename one.

/// How much an exception matters. `Blocking` keeps an order from going straight through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Severity {
    Info,
    Warning,
    Blocking,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Blocking => "blocking",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        [Severity::Info, Severity::Warning, Severity::Blocking]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// The stable exception codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ExceptionCode {
    UnknownCustomer,
    CurrencyMismatch,
    CreditLimit,
    UnknownShipTo,
    DuplicatePo,
    UnknownProduct,
    InactiveProduct,
    PackSize,
    BelowMinQty,
    InsufficientStock,
    PriceMismatch,
    TotalMismatch,
}

impl ExceptionCode {
    pub const ALL: [ExceptionCode; 12] = [
        ExceptionCode::UnknownCustomer,
        ExceptionCode::CurrencyMismatch,
        ExceptionCode::CreditLimit,
        ExceptionCode::UnknownShipTo,
        ExceptionCode::DuplicatePo,
        ExceptionCode::UnknownProduct,
        ExceptionCode::InactiveProduct,
        ExceptionCode::PackSize,
        ExceptionCode::BelowMinQty,
        ExceptionCode::InsufficientStock,
        ExceptionCode::PriceMismatch,
        ExceptionCode::TotalMismatch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionCode::UnknownCustomer => "unknown_customer",
            ExceptionCode::CurrencyMismatch => "currency_mismatch",
            ExceptionCode::CreditLimit => "credit_limit",
            ExceptionCode::UnknownShipTo => "unknown_ship_to",
            ExceptionCode::DuplicatePo => "duplicate_po",
            ExceptionCode::UnknownProduct => "unknown_product",
            ExceptionCode::InactiveProduct => "inactive_product",
            ExceptionCode::PackSize => "pack_size",
            ExceptionCode::BelowMinQty => "below_min_qty",
            ExceptionCode::InsufficientStock => "insufficient_stock",
            ExceptionCode::PriceMismatch => "price_mismatch",
            ExceptionCode::TotalMismatch => "total_mismatch",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == raw)
    }

    /// The severity when the settings say nothing else.
    pub fn default_severity(self) -> Severity {
        match self {
            ExceptionCode::DuplicatePo | ExceptionCode::TotalMismatch => Severity::Warning,
            _ => Severity::Blocking,
        }
    }
}

/// One finding on an order or one of its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderException {
    pub code: ExceptionCode,
    pub severity: Severity,
    /// The line it concerns; `None` for the header.
    pub line_no: Option<u32>,
    /// For the clerk: what is wrong, with the values involved.
    pub message: String,
}

/// Whether any exception blocks straight-through processing.
pub fn any_blocking(exceptions: &[OrderException]) -> bool {
    exceptions.iter().any(|e| e.severity == Severity::Blocking)
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for ExceptionCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in ExceptionCode::ALL {
            assert_eq!(ExceptionCode::parse(c.as_str()), Some(c));
            assert!(seen.insert(c.as_str()));
        }
    }

    #[test]
    fn duplicate_po_and_total_mismatch_only_warn_by_default() {
        assert_eq!(ExceptionCode::DuplicatePo.default_severity(), Severity::Warning);
        assert_eq!(ExceptionCode::TotalMismatch.default_severity(), Severity::Warning);
        assert_eq!(ExceptionCode::PriceMismatch.default_severity(), Severity::Blocking);
        let warn = OrderException {
            code: ExceptionCode::DuplicatePo,
            severity: Severity::Warning,
            line_no: None,
            message: String::new(),
        };
        assert!(!any_blocking(std::slice::from_ref(&warn)));
        let block = OrderException {
            severity: Severity::Blocking,
            ..warn.clone()
        };
        assert!(any_blocking(&[warn, block]));
    }
}
