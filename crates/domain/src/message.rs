//! What an inbound message is about.

/// The kind of an inbound message. The names are a public contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum MessageKind {
    Order,
    OrderChange,
    Cancellation,
    Rfq,
    Inquiry,
    Other,
}

impl MessageKind {
    pub const ALL: [MessageKind; 6] = [
        MessageKind::Order,
        MessageKind::OrderChange,
        MessageKind::Cancellation,
        MessageKind::Rfq,
        MessageKind::Inquiry,
        MessageKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Order => "order",
            MessageKind::OrderChange => "order_change",
            MessageKind::Cancellation => "cancellation",
            MessageKind::Rfq => "rfq",
            MessageKind::Inquiry => "inquiry",
            MessageKind::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// Where an inbound message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    /// Stored, not yet read.
    Received,
    /// Read and drafted.
    Processed,
    /// Read with errors, or not readable at all (the error says why).
    Error,
    /// The same bytes or Message-ID as an earlier message.
    Duplicate,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 4] = [
        MessageStatus::Received,
        MessageStatus::Processed,
        MessageStatus::Error,
        MessageStatus::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Received => "received",
            MessageStatus::Processed => "processed",
            MessageStatus::Error => "error",
            MessageStatus::Duplicate => "duplicate",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

impl std::fmt::Display for MessageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in MessageStatus::ALL {
            assert_eq!(MessageStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn names_round_trip() {
        for k in MessageKind::ALL {
            assert_eq!(MessageKind::parse(k.as_str()), Some(k));
        }
    }
}
