//! The demo's quotes: pricing rules and approval limits as a distributor
//! would set them, and RFQs from demo customers already worked into quotes
//! in every state — draft, awaiting approval, sent, accepted, expired — so
//! that a new user sees the whole flow at once.
//!
//! The states are reached through the same calls clerks use; where a real
//! step would mail a customer (sending), the demo sets the state in the
//! store instead, since a demo has no mail server.

use domain::event::Actor;
use domain::pricing::{DiscountRule, PricingPolicy, Rounding};
use domain::quote::{ApprovalPolicy, QuoteAction, QuoteStatus, next_state};
use rust_decimal::Decimal;
use store::Store;
use store::quotes::QuoteChange;

use app::intake::{Pipeline, drain, receive};
use app::quote::{Command, Desk, QuoteEdit, QuoteSettings};

#[derive(Debug, thiserror::Error)]
pub enum DemoQuotesError {
    #[error(transparent)]
    Intake(#[from] app::intake::IntakeError),
    #[error(transparent)]
    Settings(#[from] app::settings::SettingsError),
    #[error(transparent)]
    Quote(#[from] app::quote::QuoteActionError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("the demo master data has no {0}")]
    Missing(&'static str),
}

/// Pricing rules and approval limits of the demo distributor, on top of
/// `configured`: an agreed discount for one customer and a volume discount
/// from 5,000 pieces, so that the demo's other orders keep their prices.
pub fn settings(configured: &QuoteSettings, customer: Option<domain::CustomerNo>) -> QuoteSettings {
    let rule = |name: &str, percent: i64| DiscountRule::new(name, Decimal::from(percent));
    let mut volume = rule("Mengenrabatt ab 5.000", 3);
    volume.min_qty = Some(Decimal::from(5000));
    let mut dealer = rule("Jahresvereinbarung", 5);
    dealer.customer_no = customer;
    QuoteSettings {
        pricing: PricingPolicy {
            discounts: vec![dealer, volume],
            rounding: Rounding::default(),
            margin_floor: Some(Decimal::from(15)),
        },
        approval: ApprovalPolicy {
            max_discount_percent: Some(Decimal::from(15)),
            value_limit: Some(Decimal::from(10_000)),
            unknown_cost: false,
        },
        ..configured.clone()
    }
}

fn rfq(from: &str, subject: &str, lines: &[(String, String, u32)], n: usize, german: bool) -> Vec<u8> {
    let rows: String = lines
        .iter()
        .enumerate()
        .map(|(i, (sku, name, qty))| format!("{}    {sku}    {name}    {qty}    Stk\r\n", i + 1))
        .collect();
    let (hello, ask, header, bye) = if german {
        (
            "Guten Tag,",
            "bitte senden Sie uns ein Angebot für folgende Positionen:",
            "Pos  Artikel-Nr.  Bezeichnung  Menge  ME",
            "Mit freundlichen Grüßen",
        )
    } else {
        (
            "Hello,",
            "please send us a quotation for the following items:",
            "Item  Part no.  Description  Qty  Unit",
            "Kind regards",
        )
    };
    format!(
        "From: {from}\r\nTo: vertrieb@orderdesk.example\r\nSubject: {subject}\r\n\
         Message-ID: <demo-rfq-{n}@orderdesk.example>\r\nDate: Fri, 20 Nov 2026 10:{:02}:00 +0100\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         {hello}\r\n\r\n{ask}\r\n\r\n{header}\r\n{rows}\r\n{bye}\r\n",
        n % 60
    )
    .into_bytes()
}

/// Moves a quote on as the demo tells, without a mail (a demo has no mail server).
async fn set_state(
    store: &Store,
    id: i64,
    to: QuoteStatus,
    valid_until: Option<jiff::civil::Date>,
) -> Result<(), DemoQuotesError> {
    let Some(q) = store.quote(id).await? else {
        return Ok(());
    };
    let mut state = q.state;
    let path: &[QuoteAction] = match to {
        QuoteStatus::Sent => &[QuoteAction::Send],
        QuoteStatus::Accepted => &[QuoteAction::Send, QuoteAction::Accept],
        QuoteStatus::Expired => &[QuoteAction::Send, QuoteAction::Expire],
        _ => &[],
    };
    for action in path {
        let Ok(next) = next_state(state, *action, &[]) else {
            return Ok(());
        };
        let change = QuoteChange {
            valid_until,
            ..QuoteChange::new(state, next, action.as_str())
        };
        store
            .change_quote(id, &change, &Actor::System("demo".into()), jiff::Timestamp::now())
            .await?;
        state = next;
    }
    Ok(())
}

/// Saves the demo pricing rules (unless quote settings were saved before),
/// receives five RFQs from demo customers and works their quotes into
/// draft, awaiting approval, sent, accepted and expired. Returns how many quotes there are.
pub async fn load_quotes(
    store: &Store,
    pipeline: &Pipeline,
    today: jiff::civil::Date,
) -> Result<usize, DemoQuotesError> {
    let customers = store.search_customers("", None, 40).await?;
    let with_mail: Vec<_> = customers.iter().filter(|c| !c.emails.is_empty()).collect();
    let german = with_mail
        .iter()
        .find(|c| c.language.as_deref() == Some("de"))
        .ok_or(DemoQuotesError::Missing("German customer with a mail address"))?;
    let english = with_mail
        .iter()
        .find(|c| c.language.as_deref() != Some("de"))
        .unwrap_or(german);
    let configured = app::settings::quotes(store, &pipeline.quotes).await?;
    let settings = settings(&configured, Some(german.customer_no.clone()));
    if store.setting("quotes").await?.is_none() {
        app::settings::save_quotes(store, &configured, settings.clone(), "demo").await?;
    }
    let data = app::draft::load_master_data(store).await?;
    let priced: Vec<(String, String)> = data
        .products
        .iter()
        .filter(|p| p.active && p.list_price.is_some() && p.cost.is_some())
        .take(12)
        .map(|p| (p.sku.as_str().to_owned(), p.name.clone()))
        .collect();
    if priced.len() < 6 {
        return Err(DemoQuotesError::Missing("priced products with a cost"));
    }
    let line = |i: usize, qty: u32| (priced[i].0.clone(), priced[i].1.clone(), qty);
    let mails = [
        (german, "Anfrage 2026-311", vec![line(0, 500), line(1, 200)], true),
        (
            german,
            "Anfrage Rahmenbedarf 2027",
            vec![line(2, 5000), line(3, 2500), line(4, 1000)],
            true,
        ),
        (english, "RFQ 77120", vec![line(5, 300)], false),
        (
            german,
            "Preisanfrage Projekt Hafen",
            vec![line(6.min(priced.len() - 1), 1200)],
            true,
        ),
        (
            english,
            "Request for quotation 4410",
            vec![line(7.min(priced.len() - 1), 100)],
            false,
        ),
    ];
    let mut ids = Vec::new();
    for (n, (customer, subject, lines, de)) in mails.iter().enumerate() {
        let bytes = rfq(&customer.emails[0], subject, lines, 100 + n, *de);
        let received = receive(store, "demo", Some(&format!("rfq-{n}.eml")), &bytes).await?;
        let mut quote_pipeline = pipeline.clone();
        quote_pipeline.quotes = settings.clone();
        drain(store, &quote_pipeline).await?;
        ids.push(store.quotes_of_message(received.id).await?.first().map(|q| q.id));
    }
    let desk = Desk {
        store,
        catalog: &pipeline.catalog,
        quotes: &settings,
        outbox: &pipeline.outbox,
        today,
    };
    // 2: a big framework enquiry priced down by hand: a manager must approve.
    if let Some(id) = ids[1] {
        let quote = store.quote(id).await?.map(|q| app::quote::Quote::from_json(&q.content));
        if let Some(Ok(quote)) = quote
            && let Some(price) = quote.lines[0].unit_price
        {
            let cut = (price * Decimal::new(75, 2)).round_dp(2);
            let edit = QuoteEdit::Price {
                line_no: 1,
                price: Some(cut),
            };
            app::quote::act(&desk, id, None, Command::Edit(vec![edit]), "sales").await?;
            // Under these rules a quarter off needs approval; if the
            // product's margin allows it after all, the quote stays a draft.
            let _ = app::quote::act(&desk, id, None, Command::RequestApproval, "sales").await;
        }
    }
    let valid = |days: i64| today.checked_add(jiff::Span::new().days(days)).ok();
    if let Some(id) = ids[2] {
        set_state(store, id, QuoteStatus::Sent, valid(4)).await?;
    }
    if let Some(id) = ids[3] {
        set_state(store, id, QuoteStatus::Accepted, valid(20)).await?;
    }
    if let Some(id) = ids[4] {
        set_state(store, id, QuoteStatus::Expired, valid(-3)).await?;
    }
    Ok(ids.iter().flatten().count())
}
