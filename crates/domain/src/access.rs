//! Who may do what: the roles of the back office and the permissions they carry.
//!
//! The web server asks [`Role::allows`] for every route and API call; the
//! table here is the one place that decides it.

/// A person's job in the back office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Order entry clerk / sales support: reviews, fixes, confirms, answers.
    Clerk,
    /// Sales administrator: quotes and customer communication, plus a clerk's work.
    SalesAdmin,
    /// Head of inside sales: KPIs, SLAs, rules, assigns work to others.
    Manager,
    /// Mailboxes, the ERP connection, users and settings.
    Admin,
}

/// Something a route or API call needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the inbox, the queue, drafts, orders, customers and products.
    ViewWork,
    /// Hand in a message by upload or API.
    UploadMessages,
    /// Correct, confirm, reject, escalate drafts; take them over.
    ReviewDrafts,
    /// Amend confirmed orders.
    AmendOrders,
    /// Assign a draft to someone else.
    AssignWork,
    /// See the KPIs and the audit of everyone's work.
    ViewKpis,
    /// Settings, mailboxes, thresholds, severities.
    ManageSettings,
    /// Create and disable users and API tokens.
    ManageUsers,
    /// Approve quotes a rule holds back (discount, margin, value).
    ApproveQuotes,
    /// See costs and margins.
    ViewCost,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Clerk, Role::SalesAdmin, Role::Manager, Role::Admin];

    /// The stable name in storage, the CLI and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::SalesAdmin => "sales_admin",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Clerk => "Clerk",
            Role::SalesAdmin => "Sales administrator",
            Role::Manager => "Manager",
            Role::Admin => "Administrator",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        let raw = raw.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match permission {
            ViewWork | UploadMessages | ReviewDrafts | AmendOrders => true,
            AssignWork | ViewKpis | ApproveQuotes => matches!(self, Role::Manager | Role::Admin),
            ViewCost => self != Role::Clerk,
            ManageSettings | ManageUsers => self == Role::Admin,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Sales-Admin"), Some(Role::SalesAdmin));
        assert_eq!(Role::parse("owner"), None);
    }

    #[test]
    fn only_admins_manage_settings_and_users() {
        for role in Role::ALL {
            assert_eq!(role.allows(Permission::ManageSettings), role == Role::Admin);
            assert_eq!(role.allows(Permission::ManageUsers), role == Role::Admin);
        }
    }

    #[test]
    fn everyone_works_the_queue_but_only_managers_assign_others() {
        for role in Role::ALL {
            assert!(role.allows(Permission::ReviewDrafts));
            assert!(role.allows(Permission::ViewWork));
        }
        assert!(!Role::Clerk.allows(Permission::AssignWork));
        assert!(!Role::SalesAdmin.allows(Permission::ViewKpis));
        assert!(Role::Manager.allows(Permission::AssignWork));
    }
}
