//! Quotes and pricing on the settings page: validity, numbers, follow-up,
//! the discount rules, rounding and margin floor the pricing engine applies
//! (to quotes and to the price check of orders), the approval limits, and
//! the quote mail's texts. Saved over `[quotes]` of orderdesk.toml.

use axum::Extension;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::pricing::{DiscountRule, Rounding};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::i18n::{Tr, mark};

/// What the settings page shows of it.
pub(crate) struct QuoteSettingsView {
    pub auto_draft: bool,
    pub number_prefix: String,
    pub validity_days: u32,
    pub follow_up_days: u32,
    pub follow_up_to: String,
    /// One rule a line, as [`rules_text`] writes them.
    pub discounts: String,
    pub rounding: String,
    pub margin_floor: String,
    pub max_discount: String,
    pub value_limit: String,
    pub unknown_cost: bool,
    pub text_de: String,
    pub text_en: String,
}

fn opt(v: Option<Decimal>, tr: &Tr) -> String {
    v.map(|d| tr.input(d)).unwrap_or_default()
}

/// `name | percent | key=value | …`, one rule a line; numbers as the
/// user's language writes them, so that saving the form unchanged keeps them.
pub(crate) fn rules_text(rules: &[DiscountRule], tr: &Tr) -> String {
    rules
        .iter()
        .map(|r| {
            let mut parts = vec![r.name.clone(), tr.input(r.percent)];
            if let Some(c) = &r.customer_no {
                parts.push(format!("customer={c}"));
            }
            if let Some(s) = &r.segment {
                parts.push(format!("segment={s}"));
            }
            if let Some(g) = &r.product_group {
                parts.push(format!("group={g}"));
            }
            if let Some(q) = r.min_qty {
                parts.push(format!("from_qty={}", tr.input(q)));
            }
            if let Some(d) = r.valid_from {
                parts.push(format!("from={d}"));
            }
            if let Some(d) = r.valid_to {
                parts.push(format!("to={d}"));
            }
            parts.join(" | ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rules as typed; an error names the line and what is wrong in it.
pub(crate) fn parse_rules(typed: &str, tr: &Tr) -> Result<Vec<DiscountRule>, String> {
    let mut rules = Vec::new();
    for (n, line) in typed.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let at = |why: String| tr.fill("Discount rule on line {}: {}", &[&(n + 1), &why]);
        let mut parts = line.split('|').map(str::trim);
        let name = parts.next().unwrap_or_default().to_owned();
        let percent_text = parts.next().unwrap_or_default();
        let percent = tr
            .read_number(percent_text.trim_end_matches('%'))
            .ok_or_else(|| at(tr.f("“{}” is not a percent", percent_text)))?;
        let mut rule = DiscountRule::new(&name, percent);
        for part in parts.filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .ok_or_else(|| at(tr.f("“{}” is not key=value", part)))?;
            let date = |v: &str| {
                v.parse::<jiff::civil::Date>()
                    .map_err(|_| at(tr.f("“{}” is not a date (YYYY-MM-DD)", v)))
            };
            match key {
                "customer" => {
                    rule.customer_no = Some(domain::CustomerNo::parse(value).map_err(|e| at(e.to_string()))?);
                }
                "segment" => {
                    rule.segment = Some(domain::values::PriceListId::parse(value).map_err(|e| at(e.to_string()))?);
                }
                "group" => rule.product_group = Some(value.to_owned()),
                "from_qty" => {
                    rule.min_qty = Some(
                        tr.read_number(value)
                            .ok_or_else(|| at(tr.f("“{}” is not a quantity", value)))?,
                    );
                }
                "from" => rule.valid_from = Some(date(value)?),
                "to" => rule.valid_to = Some(date(value)?),
                other => {
                    return Err(at(
                        tr.f("“{}” is not one of customer, segment, group, from_qty, from, to", other)
                    ));
                }
            }
        }
        rules.push(rule);
    }
    Ok(rules)
}

pub(crate) async fn view(state: &AppState, tr: &Tr) -> Result<QuoteSettingsView, WebError> {
    let s = app::settings::quotes(&state.store, &state.config.quotes).await?;
    Ok(QuoteSettingsView {
        auto_draft: s.auto_draft,
        number_prefix: s.number_prefix.clone(),
        validity_days: s.validity_days,
        follow_up_days: s.follow_up_days,
        follow_up_to: s.follow_up_to.join(", "),
        discounts: rules_text(&s.pricing.discounts, tr),
        rounding: tr.input(s.pricing.rounding.step),
        margin_floor: opt(s.pricing.margin_floor, tr),
        max_discount: opt(s.approval.max_discount_percent, tr),
        value_limit: opt(s.approval.value_limit, tr),
        unknown_cost: s.approval.unknown_cost,
        text_de: s.text_de.clone(),
        text_en: s.text_en.clone(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QuoteSettingsForm {
    auto_draft: Option<String>,
    number_prefix: String,
    validity_days: String,
    follow_up_days: String,
    follow_up_to: String,
    discounts: String,
    rounding: String,
    margin_floor: String,
    max_discount: String,
    value_limit: String,
    unknown_cost: Option<String>,
    text_de: String,
    text_en: String,
}

fn settings_of(
    form: &QuoteSettingsForm,
    before: &app::quote::QuoteSettings,
    tr: &Tr,
) -> Result<app::quote::QuoteSettings, String> {
    let optional = |raw: &str, what: &str| -> Result<Option<Decimal>, String> {
        match raw.trim() {
            "" => Ok(None),
            t => tr
                .read_number(t.trim_end_matches('%'))
                .map(Some)
                .ok_or_else(|| tr.fill("{}: “{}” is not a number", &[&tr.t(what), &t])),
        }
    };
    let days = |raw: &str, what: &str| -> Result<u32, String> {
        raw.trim()
            .parse()
            .map_err(|_| tr.fill("{}: “{}” is not a number of days", &[&tr.t(what), &raw.trim()]))
    };
    let mut s = before.clone();
    s.auto_draft = form.auto_draft.is_some();
    s.number_prefix = form.number_prefix.trim().to_owned();
    s.validity_days = days(&form.validity_days, mark("Valid for"))?;
    s.follow_up_days = days(&form.follow_up_days, mark("Follow up"))?;
    s.follow_up_to = crate::settings::customer_list(&form.follow_up_to);
    s.pricing.discounts = parse_rules(&form.discounts, tr)?;
    s.pricing.rounding = Rounding {
        step: optional(&form.rounding, mark("Rounding step"))?.unwrap_or(Rounding::default().step),
    };
    s.pricing.margin_floor = optional(&form.margin_floor, mark("Margin floor"))?;
    s.approval.max_discount_percent = optional(&form.max_discount, mark("Approval above a discount of"))?;
    s.approval.value_limit = optional(&form.value_limit, mark("Approval above a value of"))?;
    s.approval.unknown_cost = form.unknown_cost.is_some();
    s.text_de = crate::settings::custom_text(&form.text_de, app::quote::DEFAULT_TEXT_DE);
    s.text_en = crate::settings::custom_text(&form.text_en, app::quote::DEFAULT_TEXT_EN);
    Ok(s)
}

pub async fn save(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Form(form): Form<QuoteSettingsForm>,
) -> Response {
    let before = match app::settings::quotes(&state.store, &state.config.quotes).await {
        Ok(s) => s,
        Err(e) => return crate::settings::failed(&me, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let new = match settings_of(&form, &before, &me.tr) {
        Ok(s) => s,
        Err(why) => return crate::settings::failed(&me, StatusCode::UNPROCESSABLE_ENTITY, why),
    };
    match app::settings::save_quotes(&state.store, &state.config.quotes, new, &me.username).await {
        Ok(()) => Redirect::to("/settings#quotes").into_response(),
        Err(e) => crate::settings::settings_failed(&me, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_back_as_written_and_errors_name_the_line() {
        let typed = "Händlerrabatt | 5 | segment=HANDEL\n\nMengenrabatt | 3,5 % | from_qty=1000 | group=Schrauben | from=2026-01-01 | to=2026-12-31 | customer=10042";
        let english = Tr::default();
        let german = Tr::new(printout::Language::German, jiff::tz::TimeZone::UTC);
        let rules = parse_rules(typed, &german).unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[1].percent, Decimal::new(35, 1));
        assert_eq!(rules[1].min_qty, Some(Decimal::from(1000)));
        let mut fine = rules.clone();
        fine[1].min_qty = Some(Decimal::new(125, 3));
        for tr in [&english, &german] {
            assert_eq!(
                parse_rules(&rules_text(&fine, tr), tr).unwrap(),
                fine,
                "read back as written"
            );
        }
        let written = rules_text(&fine, &german);
        assert!(
            written.contains("| 3,5 |") && written.contains("from_qty=0,125"),
            "{written}"
        );
        assert_eq!(
            parse_rules("A | 5\nB | fünf", &english).unwrap_err(),
            "Discount rule on line 2: “fünf” is not a percent"
        );
        assert_eq!(
            parse_rules("A | 5 | colour=red", &german).unwrap_err(),
            "Rabattregel in Zeile 1: „colour“ ist keiner von customer, segment, group, from_qty, from, to"
        );
    }
}
