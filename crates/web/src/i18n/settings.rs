//! The settings pages' refusals in the user's language: a value the form
//! cannot take, a user or token that cannot be made. The English is each
//! error's own `Display`; German is written here from the same values.

use app::settings::SettingsError;
use app::users::UserError;

use super::Tr;

impl Tr {
    /// Why settings were not saved. A value the configuration's own check
    /// refuses is named by its configuration key, as the file names it.
    pub fn settings_error(&self, e: &SettingsError) -> String {
        use SettingsError as E;
        match (self.german(), e) {
            (false, E::Invalid(said)) => said.clone(),
            (true, E::Invalid(said)) => format!("Die Einstellungen wurden nicht gespeichert: {said}"),
            (true, E::MailboxName(name)) => format!(
                "Der Postfachname „{name}“ ist nicht erlaubt: bitte Buchstaben, Ziffern, „-“, „_“ oder „.“ verwenden"
            ),
            (true, E::MailboxIncomplete) => "Ein Postfach braucht einen Server und einen Benutzernamen".to_owned(),
            (true, E::Sender(from)) => {
                format!("Der Absender „{from}“ ist keine Mailadresse (Name <adresse@example.com>)")
            }
            (_, other) => other.to_string(),
        }
    }

    /// Why a user or an API token could not be made or changed.
    pub fn user_error(&self, e: &UserError) -> String {
        use UserError as U;
        if !self.german() {
            return e.to_string();
        }
        match e {
            U::BadUsername(name) => {
                format!("Der Benutzername „{name}“ ist nicht erlaubt: 2–64 Buchstaben, Ziffern, „.“, „-“ oder „_“")
            }
            U::BadRole(role) => {
                format!("Die Rolle „{role}“ gibt es nicht: clerk, sales_admin, manager oder admin")
            }
            U::WeakPassword => format!(
                "Das Passwort ist zu kurz: bitte mindestens {} Zeichen",
                app::users::MIN_PASSWORD_CHARS
            ),
            U::Exists(name) => format!("Den Benutzer „{name}“ gibt es schon"),
            U::NoUser(name) => format!("Den Benutzer „{name}“ gibt es nicht"),
            U::BadValidity(days) => format!("Ein Token gilt 1 bis {} Tage, nicht {days}", app::users::MAX_TOKEN_DAYS),
            U::SelfLockout => "Sie können sich nicht selbst sperren oder sich die Administratorrolle nehmen".to_owned(),
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_setting_or_user_is_said_in_german_and_in_its_own_english() {
        let german = Tr::new(printout::Language::German, jiff::tz::TimeZone::UTC);
        let sender = SettingsError::Sender("Vertrieb".into());
        assert_eq!(
            german.settings_error(&sender),
            "Der Absender „Vertrieb“ ist keine Mailadresse (Name <adresse@example.com>)"
        );
        assert_eq!(Tr::default().settings_error(&sender), sender.to_string());
        // The configuration's own check names its key, in either language.
        let invalid = SettingsError::Invalid("[extraction] stp_after_reviewed must be between 0 and 1000".into());
        assert!(
            german
                .settings_error(&invalid)
                .starts_with("Die Einstellungen wurden nicht gespeichert: [extraction]")
        );
        assert_eq!(
            Tr::default().settings_error(&invalid),
            "[extraction] stp_after_reviewed must be between 0 and 1000"
        );
        let weak = UserError::WeakPassword;
        assert_eq!(
            german.user_error(&weak),
            "Das Passwort ist zu kurz: bitte mindestens 10 Zeichen"
        );
        assert_eq!(Tr::default().user_error(&weak), weak.to_string());
    }
}
