//! News agencies: the table of known agencies as printed in credits and bylines, and the
//! lookups that resolve a credit to one ([`agency_from_credit`], [`agency_in`]).

use crate::model::Agency;

/// (as printed, code, full name), full names first so they win over codes.
pub const AGENCIES: &[(&str, &str, &str)] = &[
    ("Press Trust of India", "PTI", "Press Trust of India"),
    (
        "Asian News International",
        "ANI",
        "Asian News International",
    ),
    ("Indo-Asian News Service", "IANS", "Indo-Asian News Service"),
    ("Indo Asian News Service", "IANS", "Indo-Asian News Service"),
    ("United News of India", "UNI", "United News of India"),
    ("Agence France-Presse", "AFP", "Agence France-Presse"),
    ("Agence France Presse", "AFP", "Agence France-Presse"),
    ("The Associated Press", "AP", "Associated Press"),
    ("Associated Press", "AP", "Associated Press"),
    ("Reuters", "Reuters", "Reuters"),
    ("REUTERS", "Reuters", "Reuters"),
    ("Bloomberg", "Bloomberg", "Bloomberg"),
    ("PTI", "PTI", "Press Trust of India"),
    ("ANI", "ANI", "Asian News International"),
    ("IANS", "IANS", "Indo-Asian News Service"),
    ("UNI", "UNI", "United News of India"),
    ("AFP", "AFP", "Agence France-Presse"),
    ("AP", "AP", "Associated Press"),
    ("Deutsche Presse-Agentur", "dpa", "Deutsche Presse-Agentur"),
    ("dpa", "dpa", "Deutsche Presse-Agentur"),
    ("DPA", "dpa", "Deutsche Presse-Agentur"),
    (
        "Australian Associated Press",
        "AAP",
        "Australian Associated Press",
    ),
    ("AAP", "AAP", "Australian Associated Press"),
    (
        "Tidningarnas Telegrambyrå",
        "TT",
        "Tidningarnas Telegrambyrå",
    ),
    ("TT", "TT", "Tidningarnas Telegrambyrå"),
    ("Norsk Telegrambyrå", "NTB", "Norsk Telegrambyrå"),
    ("NTB", "NTB", "Norsk Telegrambyrå"),
    ("Suomen Tietotoimisto", "STT", "Suomen Tietotoimisto"),
    ("STT", "STT", "Suomen Tietotoimisto"),
    (
        "Agenzia Nazionale Stampa Associata",
        "ANSA",
        "Agenzia Nazionale Stampa Associata",
    ),
    ("ANSA", "ANSA", "Agenzia Nazionale Stampa Associata"),
    ("Agencia EFE", "EFE", "Agencia EFE"),
    ("EFE", "EFE", "Agencia EFE"),
    ("PA Media", "PA", "PA Media"),
    ("Press Association", "PA", "PA Media"),
    ("Ritzau", "Ritzau", "Ritzau"),
    ("ANA-MPA", "ANA-MPA", "Athens-Macedonian News Agency"),
];

/// Resolves an agency credit ("AP", "Press Trust of India", "By PTI", "(Reuters)") to a known
/// agency.
pub fn agency_from_credit(credit: &str) -> Option<Agency> {
    let credit = credit.trim();
    let credit = credit.strip_prefix("By ").unwrap_or(credit);
    let credit = credit.trim_matches(|c: char| c == '(' || c == ')').trim();
    AGENCIES
        .iter()
        .find(|(printed, _, _)| printed.eq_ignore_ascii_case(credit))
        .map(|(_, code, name)| Agency {
            code: (*code).to_owned(),
            name: (*name).to_owned(),
        })
}

/// Finds a known agency in a credit such as `"reuters.com"`, `"AP"`, `"dpa/AFP"`.
pub fn agency_in(credit: &str) -> Option<Agency> {
    if let Some(a) = agency_from_credit(credit) {
        return Some(a);
    }
    credit
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == ' '))
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .find_map(agency_from_credit)
        .or_else(|| {
            // "reuters.com" / "ap.org" / "afp.com"
            let host = credit.trim().to_ascii_lowercase();
            let stem = host.split('.').next().unwrap_or("");
            if host.contains('.') {
                agency_from_credit(stem)
            } else {
                None
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_agency_credits() {
        assert_eq!(agency_from_credit("AP").unwrap().name, "Associated Press");
        assert_eq!(
            agency_from_credit("Press Trust of India").unwrap().code,
            "PTI"
        );
        assert_eq!(agency_from_credit("By PTI").unwrap().code, "PTI");
        assert_eq!(agency_from_credit("(Reuters)").unwrap().code, "Reuters");
        assert!(agency_from_credit("Sudheer Pal Singh").is_none());
    }
}
