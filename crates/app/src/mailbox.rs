//! IMAP mailboxes as an intake channel: take in new mail, remember how far, wait with IDLE.

use std::time::Duration;

use mail::{MailError, MailboxConfig, MailboxState};
use store::{Store, StoreError};

use crate::intake::{IntakeError, receive};

#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Intake(#[from] IntakeError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one look at a mailbox did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MailboxPass {
    pub fetched: u64,
    pub received: u64,
    pub duplicates: u64,
}

fn channel(config: &MailboxConfig) -> String {
    format!("imap:{}", config.name)
}

/// Takes in the new mail of an open session; the position is saved after each message.
async fn take_in(
    store: &Store,
    session: &mut mail::Session,
    config: &MailboxConfig,
    uid_validity: u32,
) -> Result<MailboxPass, MailboxError> {
    let state = store
        .mailbox_state(&config.name)
        .await?
        .map(|(validity, last)| MailboxState {
            uid_validity: validity as u32,
            last_uid: last as u32,
        });
    if let Some(s) = state
        && s.uid_validity != uid_validity
    {
        tracing::warn!(mailbox = %config.name, "UIDVALIDITY changed; reading the whole folder again (repeats are recognised as duplicates)");
    }
    let mails = mail::fetch_new(session, config, uid_validity, state).await?;
    let mut pass = MailboxPass {
        fetched: mails.len() as u64,
        ..MailboxPass::default()
    };
    let mut taken = Vec::new();
    for m in &mails {
        let received = receive(
            store,
            &channel(config),
            Some(&format!("{}/{} uid {}", config.name, config.folder, m.uid)),
            &m.bytes,
        )
        .await?;
        if received.duplicate_of.is_some() {
            pass.duplicates += 1;
        } else {
            pass.received += 1;
        }
        store
            .set_mailbox_state(&config.name, i64::from(uid_validity), i64::from(m.uid))
            .await?;
        taken.push(m.uid);
    }
    if let Some(folder) = &config.move_to {
        mail::move_to(session, config, &taken, folder).await?;
    }
    Ok(pass)
}

/// Connects, takes in new mail, and logs out.
pub async fn poll_once(store: &Store, config: &MailboxConfig) -> Result<MailboxPass, MailboxError> {
    let (mut session, uid_validity) = mail::open(config).await?;
    let pass = take_in(store, &mut session, config, uid_validity).await;
    mail::logout(session).await;
    pass
}

/// Watches a mailbox forever: takes in new mail, then waits in IDLE (renewed
/// before the 29 minutes servers allow), reconnecting after errors.
pub async fn run(store: Store, config: MailboxConfig) {
    loop {
        if let Err(e) = watch(&store, &config).await {
            tracing::error!(error = %e, "mailbox; reconnecting in 30 s");
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    }
}

async fn watch(store: &Store, config: &MailboxConfig) -> Result<(), MailboxError> {
    let (mut session, uid_validity) = mail::open(config).await?;
    loop {
        let pass = take_in(store, &mut session, config, uid_validity).await?;
        if pass.fetched > 0 {
            tracing::info!(mailbox = %config.name, received = pass.received, duplicates = pass.duplicates, "mail taken in");
        }
        let (next, _woke) = mail::idle(session, config, Duration::from_secs(25 * 60)).await?;
        session = next;
    }
}

/// Keeps one [`run`] task per mailbox in force (orderdesk.toml and the web
/// UI's settings), starting, restarting and stopping them as administrators
/// change the mailboxes; looks every `interval`.
pub async fn supervise(store: Store, configured: Vec<MailboxConfig>, interval: Duration) {
    let mut running: Vec<(MailboxConfig, tokio::task::JoinHandle<()>)> = Vec::new();
    loop {
        match crate::settings::mailboxes(&store, &configured).await {
            Ok(in_force) => {
                let wanted: Vec<MailboxConfig> = in_force.into_iter().map(|m| m.config).collect();
                running.retain(|(config, task)| {
                    let keep = wanted.contains(config);
                    if !keep {
                        tracing::info!(mailbox = %config.name, "mailbox changed or removed; its watcher stops");
                        task.abort();
                    }
                    keep
                });
                for config in wanted {
                    if !running.iter().any(|(c, _)| *c == config) {
                        tracing::info!(mailbox = %config.name, "watching mailbox");
                        let task = tokio::spawn(run(store.clone(), config.clone()));
                        running.push((config, task));
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "reading the mailboxes in force failed"),
        }
        tokio::time::sleep(interval).await;
    }
}
