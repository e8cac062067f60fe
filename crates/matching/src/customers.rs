//! Customers and their ship-to addresses, found from what a message says about its sender.

use std::collections::HashMap;

use domain::customer::{Customer, ShipToAddress};

/// What a message says about who sent it.
#[derive(Debug, Clone, Default)]
pub struct CustomerCues<'a> {
    /// The sender's address (`From:`).
    pub sender: Option<&'a str>,
    /// A customer number printed in the document ("Kundennummer", "Customer No.").
    pub customer_no: Option<&'a str>,
    /// Party ids of the buyer in EDI and XML (often our customer number).
    pub buyer_ids: Vec<&'a str>,
    pub vat_id: Option<&'a str>,
    /// Other mail addresses quoted in the message (forwarded mails, signatures).
    pub quoted_emails: Vec<&'a str>,
    /// The buyer's name as printed, only trusted when it is exactly a customer's name.
    pub name: Option<&'a str>,
}

/// What identified a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerVia {
    /// The customer number printed on the document.
    CustomerNo,
    /// A party id of a structured message.
    BuyerId,
    VatId,
    SenderEmail,
    SenderDomain,
    /// An address of the customer quoted in a forwarded mail.
    QuotedEmail,
    Name,
    /// Its name and one of its addresses (street and postcode) printed in the document.
    NameAndAddress,
}

impl CustomerVia {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerVia::CustomerNo => "customer_no",
            CustomerVia::BuyerId => "buyer_id",
            CustomerVia::VatId => "vat_id",
            CustomerVia::SenderEmail => "sender_email",
            CustomerVia::SenderDomain => "sender_domain",
            CustomerVia::QuotedEmail => "quoted_email",
            CustomerVia::Name => "name",
            CustomerVia::NameAndAddress => "name_and_address",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomerMatch {
    /// Index into the catalog's customers.
    pub index: usize,
    pub via: CustomerVia,
    pub confidence: f32,
}

pub(crate) struct CustomerIndex {
    by_no: HashMap<String, usize>,
    by_email: HashMap<String, Vec<usize>>,
    by_domain: HashMap<String, Vec<usize>>,
    by_vat: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

fn norm_vat(v: &str) -> String {
    v.chars()
        .filter(char::is_ascii_alphanumeric)
        .flat_map(|c| c.to_uppercase())
        .collect()
}

fn norm_name(v: &str) -> String {
    v.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect()
}

fn domain_of(email: &str) -> Option<String> {
    email
        .rsplit_once('@')
        .map(|(_, d)| d.trim().trim_end_matches('>').to_lowercase())
}

impl CustomerIndex {
    pub(crate) fn build(customers: &[Customer]) -> Self {
        let mut index = CustomerIndex {
            by_no: HashMap::new(),
            by_email: HashMap::new(),
            by_domain: HashMap::new(),
            by_vat: HashMap::new(),
            by_name: HashMap::new(),
        };
        for (i, c) in customers.iter().enumerate() {
            index.by_no.insert(c.customer_no.as_str().to_owned(), i);
            for e in &c.emails {
                index.by_email.entry(e.trim().to_lowercase()).or_default().push(i);
            }
            for d in &c.email_domains {
                index.by_domain.entry(d.trim().to_lowercase()).or_default().push(i);
            }
            if let Some(v) = &c.vat_id {
                index.by_vat.insert(norm_vat(v), i);
            }
            index.by_name.insert(norm_name(&c.name), i);
        }
        index
    }

    pub(crate) fn by_no(&self, no: &str) -> Option<usize> {
        self.by_no.get(no.trim()).copied()
    }

    fn by_address(&self, email: &str) -> Option<(usize, &'static str)> {
        let email = email.trim().trim_matches(['<', '>']).to_lowercase();
        // An address shared by several customers identifies none of them.
        match self.by_email.get(&email).map(Vec::as_slice) {
            Some([only]) => return Some((*only, "email")),
            Some(_) => return None,
            None => {}
        }
        let domain = domain_of(&email)?;
        match self.by_domain.get(&domain).map(Vec::as_slice) {
            Some([only]) => Some((*only, "domain")),
            _ => None,
        }
    }

    pub(crate) fn resolve(&self, cues: &CustomerCues<'_>) -> Option<CustomerMatch> {
        let mut votes: Vec<CustomerMatch> = Vec::new();
        if let Some(i) = cues.customer_no.and_then(|n| self.by_no(n)) {
            votes.push(CustomerMatch {
                index: i,
                via: CustomerVia::CustomerNo,
                confidence: 0.98,
            });
        }
        for id in &cues.buyer_ids {
            if let Some(i) = self.by_no(id) {
                votes.push(CustomerMatch {
                    index: i,
                    via: CustomerVia::BuyerId,
                    confidence: 0.98,
                });
            }
        }
        if let Some(i) = cues.vat_id.and_then(|v| self.by_vat.get(&norm_vat(v)).copied()) {
            votes.push(CustomerMatch {
                index: i,
                via: CustomerVia::VatId,
                confidence: 0.97,
            });
        }
        if let Some((i, how)) = cues.sender.and_then(|s| self.by_address(s)) {
            let (via, confidence) = if how == "email" {
                (CustomerVia::SenderEmail, 0.98)
            } else {
                (CustomerVia::SenderDomain, 0.96)
            };
            votes.push(CustomerMatch {
                index: i,
                via,
                confidence,
            });
        }
        for e in &cues.quoted_emails {
            if let Some((i, _)) = self.by_address(e) {
                votes.push(CustomerMatch {
                    index: i,
                    via: CustomerVia::QuotedEmail,
                    confidence: 0.9,
                });
            }
        }
        if let Some(i) = cues.name.and_then(|n| self.by_name.get(&norm_name(n)).copied()) {
            votes.push(CustomerMatch {
                index: i,
                via: CustomerVia::Name,
                confidence: 0.85,
            });
        }
        let best = votes
            .iter()
            .max_by(|a, b| a.confidence.total_cmp(&b.confidence))?
            .clone();
        // Cues that name different customers: keep the strongest, but not sure.
        let disagree = votes
            .iter()
            .any(|v| v.index != best.index && v.via != CustomerVia::QuotedEmail && v.via != CustomerVia::Name);
        let agree = votes.iter().filter(|v| v.index == best.index).count();
        Some(CustomerMatch {
            confidence: if disagree {
                0.6
            } else if agree > 1 {
                best.confidence.max(0.99)
            } else {
                best.confidence
            },
            ..best
        })
    }
}

/// A delivery address as printed in a document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrintedAddress {
    pub name: Option<String>,
    pub street: Option<String>,
    pub zip: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    /// A party id given for the address (EDI `N1*ST`, UBL `Delivery`), often our address id.
    pub id: Option<String>,
}

impl PrintedAddress {
    pub fn is_empty(&self) -> bool {
        self.street.is_none() && self.zip.is_none() && self.city.is_none() && self.id.is_none()
    }
}

/// The outcome of resolving a delivery address.
#[derive(Debug, Clone, PartialEq)]
pub enum ShipToMatch {
    /// A printed address that is one of the customer's.
    Matched(usize),
    /// Nothing printed: the customer's default address, if it has one.
    Default(Option<usize>),
    /// A printed address that matches none of the customer's.
    Unknown,
    /// A printed address that fits several of the customer's equally.
    Ambiguous,
}

fn norm_street(s: &str) -> String {
    let lower = s.to_lowercase().replace("straße", "str").replace("strasse", "str");
    let lower = lower
        .replace("street", "st")
        .replace("avenue", "ave")
        .replace("road", "rd");
    lower.chars().filter(|c| c.is_alphanumeric()).collect()
}

fn norm_plain(s: &str) -> String {
    s.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Customers whose name and one of whose addresses (billing or delivery:
/// street with house number and postcode) stand in `text`.
pub(crate) fn customers_in_text<'a>(
    customers: &'a [Customer],
    addresses: impl Fn(&str) -> Vec<&'a ShipToAddress>,
    text: &str,
) -> Vec<usize> {
    let plain = norm_street(text);
    let names = norm_name(text);
    // Postcodes first: a customer none of whose postcodes stands in the text is out at once.
    // A postcode is one word or two (`LS1 4AP`).
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(norm_plain)
        .collect();
    let tokens: std::collections::HashSet<String> = words
        .iter()
        .cloned()
        .chain(words.windows(2).map(|w| format!("{}{}", w[0], w[1])))
        .filter(|t| t.len() >= 4)
        .collect();
    let at = |street: Option<&str>, zip: Option<&str>| {
        let street = street.map(norm_street).unwrap_or_default();
        let zip = zip.map(norm_plain).unwrap_or_default();
        street.len() >= 5
            && street.chars().any(|c| c.is_ascii_digit())
            && zip.len() >= 4
            && plain.contains(&street)
            && plain.contains(&zip)
    };
    (0..customers.len())
        .filter(|&i| {
            let c = &customers[i];
            let theirs = addresses(c.customer_no.as_str());
            let mut zips = std::iter::once(c.billing_address.zip.as_deref())
                .chain(theirs.iter().map(|a| a.zip.as_deref()))
                .flatten()
                .map(norm_plain);
            if !zips.any(|z| tokens.contains(&z)) {
                return false;
            }
            let name = norm_name(&c.name);
            name.len() >= 4
                && names.contains(&name)
                && (at(c.billing_address.street.as_deref(), c.billing_address.zip.as_deref())
                    || addresses(c.customer_no.as_str())
                        .iter()
                        .any(|a| at(a.street.as_deref(), a.zip.as_deref())))
        })
        .collect()
}

pub(crate) fn addresses_in_text(addresses: &[&ShipToAddress], text: &str) -> Vec<usize> {
    let plain = norm_street(text);
    (0..addresses.len())
        .filter(|&i| {
            let a = addresses[i];
            let street = a.street.as_deref().map(norm_street).unwrap_or_default();
            let zip = a.zip.as_deref().map(norm_plain).unwrap_or_default();
            // A street without a house number is too common a word to count.
            street.len() >= 5
                && street.chars().any(|c| c.is_ascii_digit())
                && zip.len() >= 4
                && plain.contains(&street)
                && plain.contains(&zip)
        })
        .collect()
}

pub(crate) fn resolve_ship_to(addresses: &[&ShipToAddress], printed: Option<&PrintedAddress>) -> ShipToMatch {
    let Some(printed) = printed.filter(|p| !p.is_empty()) else {
        return ShipToMatch::Default(addresses.iter().position(|a| a.is_default));
    };
    if let Some(id) = &printed.id
        && let Some(i) = addresses.iter().position(|a| a.address_id.as_str() == id.trim())
    {
        return ShipToMatch::Matched(i);
    }
    let street = printed.street.as_deref().map(norm_street);
    let zip = printed.zip.as_deref().map(norm_plain);
    let city = printed.city.as_deref().map(norm_plain);
    let mut found: Vec<usize> = (0..addresses.len())
        .filter(|&i| {
            let a = addresses[i];
            let same_street = street.is_some() && street == a.street.as_deref().map(norm_street);
            let same_zip = zip.is_some() && zip == a.zip.as_deref().map(norm_plain);
            let same_city = city.is_some() && city == a.city.as_deref().map(norm_plain);
            same_street && (same_zip || same_city || (zip.is_none() && city.is_none()))
        })
        .collect();
    if found.len() > 1 {
        // Two plants at one street: the name tells them apart, or nothing does.
        let name = printed.name.as_deref().map(norm_plain);
        found.retain(|&i| name.is_some() && name == addresses[i].name.as_deref().map(norm_plain));
        if found.len() != 1 {
            return ShipToMatch::Ambiguous;
        }
    }
    match found.first().copied() {
        Some(i) => ShipToMatch::Matched(i),
        None if street.is_none() && printed.id.is_none() => {
            // Only a town: enough when it picks exactly one address.
            let hits: Vec<usize> = (0..addresses.len())
                .filter(|&i| {
                    let a = addresses[i];
                    (zip.is_some() && zip == a.zip.as_deref().map(norm_plain))
                        || (city.is_some() && city == a.city.as_deref().map(norm_plain))
                })
                .collect();
            match hits.as_slice() {
                [only] => ShipToMatch::Matched(*only),
                _ => ShipToMatch::Unknown,
            }
        }
        None => ShipToMatch::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::values::{AddressId, CustomerNo};

    fn address(id: &str, street: &str, zip: &str, city: &str, default: bool) -> ShipToAddress {
        ShipToAddress {
            customer_no: CustomerNo::parse("10001").unwrap(),
            address_id: AddressId::parse(id).unwrap(),
            name: None,
            street: Some(street.into()),
            zip: Some(zip.into()),
            city: Some(city.into()),
            region: None,
            country: None,
            is_default: default,
        }
    }

    #[test]
    fn printed_addresses_resolve_to_the_customers_own() {
        let a = address("10001-1", "Obere Straße 57", "12209", "Berlin", true);
        let b = address("10001-2", "Hafenweg 3", "20457", "Hamburg", false);
        let list = [&a, &b];
        let printed = PrintedAddress {
            street: Some("Hafenweg 3".into()),
            zip: Some("20457".into()),
            city: Some("Hamburg".into()),
            ..Default::default()
        };
        assert_eq!(resolve_ship_to(&list, Some(&printed)), ShipToMatch::Matched(1));
        let strasse = PrintedAddress {
            street: Some("Obere Str. 57".into()),
            city: Some("Berlin".into()),
            ..Default::default()
        };
        assert_eq!(resolve_ship_to(&list, Some(&strasse)), ShipToMatch::Matched(0));
        assert_eq!(resolve_ship_to(&list, None), ShipToMatch::Default(Some(0)));
        let elsewhere = PrintedAddress {
            street: Some("Neue Allee 1".into()),
            zip: Some("80331".into()),
            city: Some("München".into()),
            ..Default::default()
        };
        assert_eq!(resolve_ship_to(&list, Some(&elsewhere)), ShipToMatch::Unknown);
        let mut plant = address("10001-3", "Hafenweg 3", "20457", "Hamburg", false);
        plant.name = Some("Muster GmbH Werk 3".into());
        let list = [&a, &b, &plant];
        assert_eq!(resolve_ship_to(&list, Some(&printed)), ShipToMatch::Ambiguous);
        let named = PrintedAddress {
            name: Some("Muster GmbH – Werk 3".into()),
            ..printed
        };
        assert_eq!(resolve_ship_to(&list, Some(&named)), ShipToMatch::Matched(2));
    }
}
