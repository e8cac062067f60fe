//! The append-only event: who changed what, when, from what to what.
//!
//! Every state change in Orderdesk appends one. The audit trail, the order
//! timeline and the KPIs are all read from events. The time is given by the
//! caller: the domain has no clock.

/// Who did it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A person, by user name.
    User(String),
    /// Orderdesk itself, naming the part that acted (`import`, `pipeline`, `demo` …).
    System(String),
}

impl Actor {
    /// `user:NAME` or `system:PART`, as stored.
    pub fn to_storage(&self) -> String {
        match self {
            Actor::User(name) => format!("user:{name}"),
            Actor::System(part) => format!("system:{part}"),
        }
    }

    pub fn from_storage(raw: &str) -> Option<Actor> {
        match raw.split_once(':')? {
            ("user", name) => Some(Actor::User(name.to_owned())),
            ("system", part) => Some(Actor::System(part.to_owned())),
            _ => None,
        }
    }
}

/// One changed field, as text before and after (`None` = not set).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One entry of the event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub occurred_at: jiff::Timestamp,
    pub actor: Actor,
    /// What kind of thing changed: `order`, `customer`, `product`, `import` …
    pub entity_type: String,
    pub entity_id: String,
    /// What happened, in back-office words: `confirmed`, `amended`, `imported` …
    pub action: String,
    pub changes: Vec<FieldChange>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_round_trip() {
        for a in [
            Actor::User("anna".into()),
            Actor::System("import".into()),
            Actor::User("a:b".into()),
        ] {
            assert_eq!(Actor::from_storage(&a.to_storage()), Some(a));
        }
        assert_eq!(Actor::from_storage("robot"), None);
    }
}
