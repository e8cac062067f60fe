//! What an inbound message is about.

/// The kind of an inbound message. The names are a public contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in MessageKind::ALL {
            assert_eq!(MessageKind::parse(k.as_str()), Some(k));
        }
    }
}
