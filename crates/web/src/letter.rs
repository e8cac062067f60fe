//! The letterhead and order confirmations on the settings page: the company
//! as letters show it, the logo, when confirmations go out and their mail
//! text, and a sample confirmation PDF with what is in force.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Form, Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;

/// What the settings page shows of it.
pub(crate) struct LetterView {
    /// (form name, label, value)
    pub company: Vec<(&'static str, &'static str, String)>,
    pub has_logo: bool,
    pub enabled: bool,
    pub number_prefix: String,
    pub opt_out: String,
    pub signature: String,
    pub text_de: String,
    pub text_en: String,
    /// `customer = folder`, one per line.
    pub edi_folders: String,
    pub edi_pdf: bool,
}

const COMPANY_FIELDS: [(&str, &str); 14] = [
    ("name", "Company name"),
    ("street", "Street"),
    ("zip", "Postcode"),
    ("city", "City"),
    ("country", "Country"),
    ("phone", "Phone"),
    ("email", "E-mail"),
    ("web", "Web"),
    ("vat_id", "VAT ID"),
    ("register", "Commercial register"),
    ("managing_directors", "Managing directors"),
    ("bank", "Bank"),
    ("iban", "IBAN"),
    ("bic", "BIC"),
];

fn company_value(c: &app::confirmation::CompanySettings, field: &str) -> String {
    match field {
        "name" => &c.name,
        "street" => &c.street,
        "zip" => &c.zip,
        "city" => &c.city,
        "country" => &c.country,
        "phone" => &c.phone,
        "email" => &c.email,
        "web" => &c.web,
        "vat_id" => &c.vat_id,
        "register" => &c.register,
        "managing_directors" => &c.managing_directors,
        "bank" => &c.bank,
        "iban" => &c.iban,
        "bic" => &c.bic,
        _ => "",
    }
    .to_owned()
}

pub(crate) async fn view(state: &AppState) -> Result<LetterView, WebError> {
    let outbox = app::settings::outbox(&state.store, &state.config.outbox()).await?;
    let c = &outbox.letter.company;
    let rules = &outbox.letter.confirmations;
    Ok(LetterView {
        company: COMPANY_FIELDS
            .iter()
            .map(|(name, label)| (*name, *label, company_value(c, name)))
            .collect(),
        has_logo: c.logo_sha256.is_some() || c.logo_file.is_some(),
        enabled: rules.enabled,
        number_prefix: rules.number_prefix.clone(),
        opt_out: rules.opt_out.join(", "),
        signature: rules.signature.clone(),
        text_de: rules.text_de.clone(),
        text_en: rules.text_en.clone(),
        edi_folders: rules
            .edi_folders
            .iter()
            .map(|f| format!("{} = {}", f.customer_no, f.folder.display()))
            .collect::<Vec<_>>()
            .join("\n"),
        edi_pdf: rules.edi_pdf,
    })
}

/// `customer = folder` lines as typed; an error names the line that is not one.
fn edi_folders(typed: &str, tr: &crate::i18n::Tr) -> Result<Vec<app::confirmation::EdiFolder>, String> {
    typed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match line.split_once('=') {
            Some((customer, folder)) if !customer.trim().is_empty() && folder.trim().starts_with('/') => {
                Ok(app::confirmation::EdiFolder {
                    customer_no: customer.trim().to_owned(),
                    folder: folder.trim().into(),
                })
            }
            _ => Err(tr.f(
                "“{}” is not “customer number = /absolute/folder” for order responses",
                line,
            )),
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LetterForm {
    name: String,
    street: String,
    zip: String,
    city: String,
    country: String,
    phone: String,
    email: String,
    web: String,
    vat_id: String,
    register: String,
    managing_directors: String,
    bank: String,
    iban: String,
    bic: String,
    /// Checkbox: present when ticked.
    enabled: Option<String>,
    number_prefix: String,
    opt_out: String,
    signature: String,
    text_de: String,
    text_en: String,
    edi_folders: String,
    /// Checkbox: present when ticked.
    edi_pdf: Option<String>,
}

pub async fn save(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Form(form): Form<LetterForm>,
) -> Response {
    let configured = state.config.outbox();
    let now = match app::settings::outbox(&state.store, &configured).await {
        Ok(o) => o,
        Err(e) => return crate::settings::failed(&me, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let t = |v: &str| v.trim().to_owned();
    let company = app::confirmation::CompanySettings {
        name: t(&form.name),
        street: t(&form.street),
        zip: t(&form.zip),
        city: t(&form.city),
        country: t(&form.country),
        phone: t(&form.phone),
        email: t(&form.email),
        web: t(&form.web),
        vat_id: t(&form.vat_id),
        register: t(&form.register),
        managing_directors: t(&form.managing_directors),
        bank: t(&form.bank),
        iban: t(&form.iban),
        bic: t(&form.bic),
        // The logo is changed by its own form.
        logo_file: now.letter.company.logo_file.clone(),
        logo_sha256: now.letter.company.logo_sha256.clone(),
    };
    let prefix = form.number_prefix.trim();
    if prefix.chars().count() > 12 || prefix.chars().any(|c| c.is_control()) {
        return crate::settings::failed(
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            me.tr.f(
                "The order number prefix “{}” is too long (12 characters at most)",
                prefix,
            ),
        );
    }
    let folders = match edi_folders(&form.edi_folders, &me.tr) {
        Ok(f) => f,
        Err(e) => return crate::settings::failed(&me, StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    let rules = app::confirmation::ConfirmationSettings {
        edi_folders: folders,
        edi_pdf: form.edi_pdf.is_some(),
        enabled: form.enabled.is_some(),
        number_prefix: prefix.to_owned(),
        opt_out: crate::settings::customer_list(&form.opt_out),
        signature: t(&form.signature),
        text_de: crate::settings::custom_text(&form.text_de, app::confirmation::DEFAULT_TEXT_DE),
        text_en: crate::settings::custom_text(&form.text_en, app::confirmation::DEFAULT_TEXT_EN),
    };
    match app::settings::save_letter(&state.store, &configured, company, rules, &me.username).await {
        Ok(()) => Redirect::to("/settings#letter").into_response(),
        Err(e) => crate::settings::settings_failed(&me, &e),
    }
}

/// Takes a PNG or JPEG logo (or, with `remove`, takes the logo away).
pub async fn logo(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    mut multipart: Multipart,
) -> Response {
    let mut file: Option<Bytes> = None;
    let mut remove = false;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                match field.bytes().await {
                    Ok(bytes) if name == "logo" && !bytes.is_empty() => file = Some(bytes),
                    Ok(_) if name == "remove" => remove = true,
                    Ok(_) => {}
                    Err(e) => {
                        return crate::settings::failed(
                            &me,
                            StatusCode::BAD_REQUEST,
                            me.tr.f("The logo could not be read: {}", e),
                        );
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                return crate::settings::failed(
                    &me,
                    StatusCode::BAD_REQUEST,
                    me.tr.f("The logo could not be read: {}", e),
                );
            }
        }
    }
    let configured = state.config.outbox();
    let now = match app::settings::outbox(&state.store, &configured).await {
        Ok(o) => o,
        Err(e) => return crate::settings::failed(&me, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let mut company = now.letter.company.clone();
    match (remove, file) {
        (true, _) => {
            company.logo_sha256 = None;
            company.logo_file = None;
        }
        (false, Some(bytes)) => {
            // Checked by printing it: what cannot go on a letter is refused now, not at the first confirmation.
            let mut sample = sample_confirmation(&now);
            sample.lines.truncate(1);
            if let Err(e) = printout::render_confirmation(&sample, &company.letterhead(Some(bytes.to_vec()))) {
                return crate::settings::failed(
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    me.tr.f("The logo cannot be printed on a letter: {}", e),
                );
            }
            match state.store.blobs().put(&bytes) {
                Ok(sha) => company.logo_sha256 = Some(sha),
                Err(e) => return crate::settings::failed(&me, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
            }
        }
        (false, None) => {
            return crate::settings::failed(&me, StatusCode::BAD_REQUEST, me.tr.t("No logo file was chosen").into());
        }
    }
    match app::settings::save_letter(
        &state.store,
        &configured,
        company,
        now.letter.confirmations,
        &me.username,
    )
    .await
    {
        Ok(()) => Redirect::to("/settings#letter").into_response(),
        Err(e) => crate::settings::failed(&me, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// A confirmation of a made-up order, for the preview.
fn sample_confirmation(outbox: &app::outbound::Outbox) -> printout::Confirmation {
    let rules = &outbox.letter.confirmations;
    let today = jiff::Timestamp::now()
        .to_zoned(outbox.letter.time_zone.clone().unwrap_or(jiff::tz::TimeZone::UTC))
        .date();
    let line = |no: u32, sku: &str, cpn: &str, name: &str, qty: i64, price: i64| printout::ConfirmedLine {
        line_no: no,
        sku: Some(sku.into()),
        customer_part_no: Some(cpn.into()),
        description: name.into(),
        quantity: rust_decimal::Decimal::from(qty),
        unit: "C62".into(),
        unit_price: rust_decimal::Decimal::new(price, 2),
        delivery_date: today.checked_add(jiff::Span::new().days(7)).ok(),
        changes: Vec::new(),
    };
    let mut lines = vec![
        line(1, "HB-M8-40-A2", "77-1034", "Sechskantschraube M8x40 A2", 500, 12),
        line(2, "ZS-M6-20", "77-2001", "Zylinderschraube M6x20 verzinkt", 1000, 8),
        line(3, "SM-M8", "77-0090", "Sechskantmutter M8", 500, 4),
    ];
    lines[1].changes.push(printout::LineChange::Quantity {
        ordered: rust_decimal::Decimal::from(950),
        unit: "C62".into(),
    });
    printout::Confirmation {
        purpose: printout::Purpose::Confirmation,
        language: printout::Language::German,
        number: format!("{}1042", rules.number_prefix),
        date: today,
        revision: 1,
        customer_no: Some("10042".into()),
        customer_po: Some("4500012345".into()),
        po_date: Some(today),
        requested_delivery: today.checked_add(jiff::Span::new().days(7)).ok(),
        contact: None,
        bill_to: vec![
            "Muster Maschinenbau GmbH".into(),
            "Hauptstraße 1".into(),
            "12345 Musterstadt".into(),
        ],
        ship_to: None,
        currency: "EUR".into(),
        lines,
        payment_terms: Some("30 Tage netto".into()),
        incoterms: Some("DAP".into()),
        signature: if rules.signature.is_empty() {
            app::outbound::sender_name(&outbox.smtp)
        } else {
            rules.signature.clone()
        },
    }
}

/// A sample confirmation with the letterhead in force, as customers will get it.
pub async fn preview(State(state): State<AppState>) -> Result<Response, WebError> {
    let outbox = app::settings::outbox(&state.store, &state.config.outbox()).await?;
    let logo = match &outbox.letter.company.logo_sha256 {
        Some(sha) => state.store.blobs().get(sha).ok(),
        None => match &outbox.letter.company.logo_file {
            Some(path) => tokio::fs::read(path).await.ok(),
            None => None,
        },
    };
    let head = outbox.letter.company.letterhead(logo);
    let sample = sample_confirmation(&outbox);
    let pdf = tokio::task::spawn_blocking(move || printout::render_confirmation(&sample, &head))
        .await
        .map_err(|e| WebError::Corrupt(format!("printing the sample stopped: {e}")))?
        .map_err(|e| WebError::Corrupt(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"sample-confirmation.pdf\"".to_owned(),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        pdf,
    )
        .into_response())
}
