//! A quote's words in the user's language: how a price was made, why it
//! needs approval, what keeps it from being sent, and why an action on it
//! was refused. The English is each type's own `Display`; German is
//! written here from the same values.

use app::quote::{MakeQuoteError, PricingProblem, QuoteActionError, QuoteEditError, QuotePoint};
use domain::pricing::{BaseSource, PriceStep, PriceWarning, PricingError};
use domain::quote::{ApprovalReason, QuoteAction, QuoteError};

use super::Tr;

impl Tr {
    /// One step of a price: `Kundenpreis auf L1 ab 10: 12,50 EUR`.
    pub fn price_step(&self, step: &PriceStep, currency: &str) -> String {
        let p = |v| self.price(v);
        let q = |v| self.quantity(v);
        match (self.german(), step) {
            (false, PriceStep::Base { from, price }) => match from {
                BaseSource::CustomerPrice { price_list, min_qty } => {
                    format!(
                        "customer price on {price_list} from {}: {} {currency}",
                        q(*min_qty),
                        p(*price)
                    )
                }
                BaseSource::PriceList { price_list, min_qty } => {
                    format!("price list {price_list} from {}: {} {currency}", q(*min_qty), p(*price))
                }
                BaseSource::ListPrice => format!("list price: {} {currency}", p(*price)),
            },
            (true, PriceStep::Base { from, price }) => match from {
                BaseSource::CustomerPrice { price_list, min_qty } => {
                    format!(
                        "Kundenpreis auf {price_list} ab {}: {} {currency}",
                        q(*min_qty),
                        p(*price)
                    )
                }
                BaseSource::PriceList { price_list, min_qty } => {
                    format!("Preisliste {price_list} ab {}: {} {currency}", q(*min_qty), p(*price))
                }
                BaseSource::ListPrice => format!("Listenpreis: {} {currency}", p(*price)),
            },
            (
                _,
                PriceStep::Discount {
                    rule,
                    scope,
                    percent,
                    price,
                },
            ) => format!(
                "− {} % {rule} ({}): {}",
                self.input(*percent),
                self.scope(scope.as_str()),
                p(*price)
            ),
            (false, PriceStep::Rounded { step, price }) => format!("rounded to {}: {}", self.input(*step), p(*price)),
            (true, PriceStep::Rounded { step, price }) => format!("gerundet auf {}: {}", self.input(*step), p(*price)),
            (false, PriceStep::Manual { by, price }) => format!("set by {by}: {}", p(*price)),
            (true, PriceStep::Manual { by, price }) => format!("von {by} gesetzt: {}", p(*price)),
        }
    }

    fn scope<'a>(&self, scope: &'a str) -> &'a str {
        match (self.german(), scope) {
            (false, "product_group") => "product group",
            (true, "customer") => "Kunde",
            (true, "segment") => "Kundengruppe",
            (true, "product_group") => "Warengruppe",
            (true, "general") => "allgemein",
            (_, other) => other,
        }
    }

    /// A warning on a price; the cost and floor only for who may see costs.
    pub fn price_warning(&self, w: &PriceWarning, see_cost: bool) -> String {
        let de = self.german();
        match (w, see_cost) {
            (PriceWarning::BelowFloor { floor }, true) if de => {
                format!("unter der Mindestmarge (Preis {})", self.price(*floor))
            }
            (PriceWarning::BelowFloor { floor }, true) => {
                format!("below the margin floor price {}", self.price(*floor))
            }
            (PriceWarning::BelowFloor { .. }, false) => self.t("below the margin floor").to_owned(),
            (PriceWarning::BelowCost { cost }, true) if de => format!("unter unseren Kosten {}", self.price(*cost)),
            (PriceWarning::BelowCost { cost }, true) => format!("below our cost {}", self.price(*cost)),
            (PriceWarning::BelowCost { .. }, false) => self.t("below our cost").to_owned(),
            (PriceWarning::NoCost, _) => self.t("no cost known: margin not checked").to_owned(),
        }
    }

    /// Why the quote needs a manager before it goes out.
    pub fn approval_reason(&self, reason: &ApprovalReason) -> String {
        use ApprovalReason as A;
        if !self.german() {
            return reason.text();
        }
        match reason {
            A::BelowFloor { line_no, floor } => {
                format!(
                    "Position {line_no} liegt unter der Mindestmarge (Preis {})",
                    self.price(*floor)
                )
            }
            A::BelowCost { line_no, cost } => {
                format!("Position {line_no} liegt unter unseren Kosten {}", self.price(*cost))
            }
            A::DiscountOver {
                line_no,
                percent,
                limit,
            } => format!(
                "Position {line_no} liegt {} % unter ihrem Listenpreis (mehr als {} %)",
                self.input(*percent),
                self.input(*limit)
            ),
            A::ValueOver { value, limit } => format!(
                "das Angebot hat einen Wert von {}, mehr als {}",
                self.amount(*value),
                self.amount(*limit)
            ),
            A::UnknownCost { line_no } => format!("für Position {line_no} sind keine Kosten bekannt"),
            A::PricedByHand { line_no } => {
                format!("Position {line_no} ist von Hand bepreist, ohne Listenpreis zum Vergleich")
            }
        }
    }

    /// What keeps a quote from being sent.
    pub fn quote_point(&self, point: &QuotePoint) -> String {
        use QuotePoint as P;
        if !self.german() {
            return point.to_string();
        }
        match point {
            P::NoLines => "das Angebot hat keine Positionen".to_owned(),
            P::NoProduct(n) => {
                format!("Position {n} hat keinen Artikel: einen wählen oder sie zur Freitext-Position mit Preis machen")
            }
            P::NoPrice(n) => format!("Position {n} hat keinen Preis"),
            P::Unpriced(n, why) => format!("Position {n} hat keinen Preis: {}", self.pricing_problem(why)),
            P::NoQuantity(n) => format!("Position {n} hat keine Menge"),
        }
    }

    /// Why the pricing engine gave a line no price.
    pub fn pricing_problem(&self, problem: &PricingProblem) -> String {
        match problem {
            PricingProblem::NotInCatalog(sku) if self.german() => format!("Artikel {sku} ist nicht im Katalog"),
            PricingProblem::Pricing(e) => self.pricing_error(e),
            other => other.to_string(),
        }
    }

    fn pricing_error(&self, e: &PricingError) -> String {
        use PricingError as E;
        if !self.german() {
            return e.to_string();
        }
        match e {
            E::NoPrice { sku, currency } => format!(
                "kein Preis für {sku} in {currency}: keine Preislistenzeile, kein Kundenpreis und kein Listenpreis in dieser Währung"
            ),
            E::BelowAnyBreak {
                sku,
                quantity,
                smallest,
            } => format!(
                "{} von {sku} liegen unter jeder Mengenstaffel (die kleinste ist {})",
                self.quantity(*quantity),
                self.quantity(*smallest)
            ),
            E::ConflictingPrices {
                sku,
                price_list,
                min_qty,
                first,
                second,
            } => format!(
                "widersprüchliche Preise für {sku} auf Preisliste {price_list} ab Menge {}: {} und {}; bitte die Preisliste korrigieren",
                self.quantity(*min_qty),
                self.price(*first),
                self.price(*second)
            ),
            E::ConflictingRules { first, second } => format!(
                "die Rabattregeln „{first}“ und „{second}“ haben dieselben Bedingungen, aber verschiedene Prozentsätze"
            ),
            E::BadRule { rule, why } => format!("Rabattregel „{rule}“: {why}"),
            E::BadRounding(step) => format!("der Rundungsschritt {} muss zwischen 0 und 1 liegen", self.input(*step)),
            E::BadFloor(floor) => {
                format!(
                    "die Mindestmarge {} % muss mindestens 0 und unter 100 sein",
                    self.input(*floor)
                )
            }
        }
    }

    /// A refused action on a quote, in the user's language.
    pub fn quote_error(&self, e: &QuoteActionError) -> String {
        use QuoteActionError as E;
        if !self.german() {
            return e.to_string();
        }
        match e {
            E::NotFound(id) => format!("Angebot {id} gibt es nicht"),
            E::Conflict(revision) => format!(
                "das Angebot wurde inzwischen geändert (jetzt Version {revision}); bitte neu laden und noch einmal versuchen"
            ),
            E::Transition(t) => self.quote_transition(t),
            E::Edit(edit) => self.quote_edit_error(edit),
            E::Open(points) => format!(
                "das Angebot kann noch nicht versendet werden: {}",
                points
                    .iter()
                    .map(|p| self.quote_point(p))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            E::NoSmtpServer => {
                "das Angebot kann nicht gemailt werden: kein SMTP-Server eingestellt (Einstellungen, Mail)".to_owned()
            }
            E::NoAddress => {
                "das Angebot kann nicht gemailt werden: weder der Absender der Anfrage noch der Kunde hat eine Mailadresse"
                    .to_owned()
            }
            E::NoReason => "Bitte einen Grund angeben".to_owned(),
            E::Print(why) => format!("das Angebot kann nicht gedruckt werden: {why}"),
            other => other.to_string(),
        }
    }

    /// A refused "make quote" on an RFQ draft.
    pub fn make_quote_error(&self, e: &MakeQuoteError) -> String {
        use MakeQuoteError as E;
        if !self.german() {
            return e.to_string();
        }
        match e {
            E::NoDraft(id) => format!("Entwurf {id} gibt es nicht"),
            E::NotAnRfq(id, kind) => format!("Entwurf {id} ist eine {}, keine Anfrage", self.label(kind)),
            E::NoCustomer => "der Kunde ist nicht bekannt: bitte zuerst den Kunden am Entwurf setzen".to_owned(),
            E::Conflict => {
                "der Entwurf wurde inzwischen geändert; bitte neu laden und noch einmal versuchen".to_owned()
            }
            other => other.to_string(),
        }
    }

    fn quote_transition(&self, e: &QuoteError) -> String {
        match e {
            QuoteError::NotNow { from, action } => format!(
                "ein Angebot im Status „{}“ kann nicht {} werden",
                self.label(from.as_str()),
                done_to_a_quote(*action)
            ),
            QuoteError::NeedsApproval(_) => {
                "dieses Angebot braucht vor dem Versand die Freigabe eines Vorgesetzten (die Gründe stehen beim Angebot)"
                    .to_owned()
            }
            QuoteError::NoApprovalNeeded => "dieses Angebot braucht keine Freigabe: bitte versenden".to_owned(),
        }
    }

    fn quote_edit_error(&self, e: &QuoteEditError) -> String {
        use QuoteEditError as E;
        match e {
            E::NoLine(n) => format!("das Angebot hat keine Position {n}"),
            E::UnknownProduct(sku) => format!("Artikel „{sku}“ ist nicht im Katalog"),
            E::Quantity(q) => format!("die Menge muss größer als 0 sein (war {})", self.input(*q)),
            E::Price(p) => format!("der Preis darf nicht negativ sein (war {})", self.input(*p)),
            E::Unit(u) => {
                format!("„{u}“ ist keine Einheit nach UN/ECE Rec. 20 (C62 Stück, MTR Meter, KGM Kilogramm …)")
            }
            E::PastDate(d) => format!("das Gültigkeitsdatum {} liegt in der Vergangenheit", self.date(*d)),
            E::FreeTextIncomplete => "eine Freitext-Position braucht eine Bezeichnung und einen Preis".to_owned(),
            E::TooManyLines(n) => format!("ein Angebot hat höchstens {n} Positionen"),
        }
    }
}

/// What an action does to a quote, as German says it after „kann nicht … werden“.
fn done_to_a_quote(action: QuoteAction) -> &'static str {
    match action {
        QuoteAction::Revise => "überarbeitet",
        QuoteAction::RequestApproval => "zur Freigabe vorgelegt",
        QuoteAction::Approve => "freigegeben",
        QuoteAction::Decline => "zurückgewiesen",
        QuoteAction::Send => "versendet",
        QuoteAction::Accept => "als angenommen vermerkt",
        QuoteAction::Reject => "als verloren vermerkt",
        QuoteAction::Expire => "als abgelaufen vermerkt",
        QuoteAction::Order => "zum Auftrag gemacht",
    }
}

#[cfg(test)]
mod tests {
    use domain::quote::QuoteStatus;
    use jiff::tz::TimeZone;
    use printout::Language;
    use rust_decimal_macros::dec;

    use super::*;

    fn german() -> Tr {
        Tr::new(Language::German, TimeZone::UTC)
    }

    #[test]
    fn a_refused_quote_action_is_said_in_german_and_in_its_own_english() {
        let no_price = PricingProblem::Pricing(PricingError::NoPrice {
            sku: domain::Sku::parse("A-100").unwrap(),
            currency: domain::CurrencyCode::parse("CHF").unwrap(),
        });
        let refused = [
            QuoteActionError::Open(vec![QuotePoint::NoProduct(2), QuotePoint::Unpriced(1, no_price)]),
            QuoteActionError::Transition(QuoteError::NotNow {
                from: QuoteStatus::Sent,
                action: QuoteAction::Approve,
            }),
            QuoteActionError::Edit(QuoteEditError::Quantity(dec!(-1.5))),
            QuoteActionError::Conflict(4),
            QuoteActionError::NoReason,
        ];
        let said: Vec<String> = refused.iter().map(|e| german().quote_error(e)).collect();
        assert_eq!(
            said[0],
            "das Angebot kann noch nicht versendet werden: Position 2 hat keinen Artikel: einen wählen oder sie zur \
             Freitext-Position mit Preis machen; Position 1 hat keinen Preis: kein Preis für A-100 in CHF: keine \
             Preislistenzeile, kein Kundenpreis und kein Listenpreis in dieser Währung"
        );
        assert_eq!(
            said[1],
            "ein Angebot im Status „versendet“ kann nicht freigegeben werden"
        );
        assert_eq!(said[2], "die Menge muss größer als 0 sein (war -1,5)");
        assert!(said[3].contains("jetzt Version 4"), "{}", said[3]);
        for e in &refused {
            assert_eq!(Tr::default().quote_error(e), e.to_string());
        }
    }

    #[test]
    fn a_price_is_explained_in_the_language_of_the_reader() {
        let steps = [
            PriceStep::Base {
                from: BaseSource::CustomerPrice {
                    price_list: domain::values::PriceListId::parse("HANDEL").unwrap(),
                    min_qty: dec!(1000),
                },
                price: dec!(12.5),
            },
            PriceStep::Discount {
                rule: "Händlerrabatt".into(),
                scope: domain::pricing::RuleScope::ProductGroup,
                percent: dec!(2.5),
                price: dec!(12.1875),
            },
            PriceStep::Rounded {
                step: dec!(0.05),
                price: dec!(12.2),
            },
        ];
        let de: Vec<String> = steps.iter().map(|s| german().price_step(s, "EUR")).collect();
        assert_eq!(de[0], "Kundenpreis auf HANDEL ab 1.000: 12,50 EUR");
        assert_eq!(de[1], "− 2,5 % Händlerrabatt (Warengruppe): 12,1875");
        assert_eq!(de[2], "gerundet auf 0,05: 12,20");
        let en: Vec<String> = steps.iter().map(|s| Tr::default().price_step(s, "EUR")).collect();
        assert_eq!(en[0], "customer price on HANDEL from 1,000: 12.50 EUR");
        assert_eq!(en[1], "− 2.5 % Händlerrabatt (product group): 12.1875");
        let reason = ApprovalReason::DiscountOver {
            line_no: 3,
            percent: dec!(17.5),
            limit: dec!(15),
        };
        assert_eq!(
            german().approval_reason(&reason),
            "Position 3 liegt 17,5 % unter ihrem Listenpreis (mehr als 15 %)"
        );
        assert_eq!(Tr::default().approval_reason(&reason), reason.text());
        assert_eq!(
            german().price_warning(&PriceWarning::BelowCost { cost: dec!(9.8) }, false),
            "unter unseren Kosten"
        );
    }
}
