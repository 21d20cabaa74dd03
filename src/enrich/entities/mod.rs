//! Named entities: people, organisations and places (see the parent module for the method).
//! [`EntityMatcher`] pools the gazetteer matches (`gazetteer.rs`) and the people heuristic
//! (`people.rs`, with the word lists of `words.rs`) over an item's texts.

mod gazetteer;
mod people;
mod words;

use std::sync::LazyLock;

use crate::enrich::scan::TextScan;
use crate::formats::textutil::push_unique;
use crate::model::{Entities, Place};
use gazetteer::{EntryKind, GazMatch, Gazetteer};
use people::{Mention, People, Single, Tok, resolve_people};

/// Finds people, organisations and places in text; see the parent module for the method.
///
/// Holds one Aho–Corasick automaton over every gazetteer name, demonym and organisation alias,
/// plus the word lists of the people heuristic. Build it once: use [`EntityMatcher::global`].
pub struct EntityMatcher {
    gazetteer: Gazetteer,
    people: People,
}

static GLOBAL: LazyLock<EntityMatcher> = LazyLock::new(EntityMatcher::new);

impl EntityMatcher {
    /// The process-wide matcher, built on first use from the embedded data (tens of ms).
    pub fn global() -> &'static EntityMatcher {
        &GLOBAL
    }

    /// Builds a matcher from the embedded data; prefer [`EntityMatcher::global`].
    fn new() -> EntityMatcher {
        EntityMatcher {
            gazetteer: Gazetteer::new(),
            people: People::new(),
        }
    }

    /// Finds the entities in `texts` (headline, summary, paragraphs, ...), each reported once.
    ///
    /// Mentions are pooled over all texts: a surname in the headline resolves to the full name
    /// given in the body.
    pub fn find(&self, texts: &[&str]) -> Entities {
        self.find_scanned(&TextScan::new(texts.iter().copied()))
    }

    /// [`EntityMatcher::find`] over texts already scanned (see [`TextScan`]).
    pub fn find_scanned(&self, scan: &TextScan<'_>) -> Entities {
        let texts = &scan.texts;
        let mut fulls: Vec<Mention> = Vec::new();
        let mut singles: Vec<Single> = Vec::new();
        // All texts' matches in one vector; `ranges[ti]` is text ti's part. One token buffer is
        // reused for every text (tokens borrow the text, not the buffer).
        let total: usize = texts.iter().map(|t| t.len()).sum();
        let mut all_matches: Vec<GazMatch> = Vec::with_capacity(total / 64 + 8);
        let mut ranges: Vec<std::ops::Range<usize>> = Vec::with_capacity(texts.len());
        let longest = texts.iter().map(|t| t.len()).max().unwrap_or(0);
        let mut toks: Vec<Tok> = Vec::with_capacity(longest / 5 + 8);
        for ti in 0..texts.len() {
            let (text, runs) = scan.text(ti);
            let from = all_matches.len();
            self.gazetteer.matches(text, runs, &mut all_matches);
            let ms = &all_matches[from..];
            self.people.tokenize(text, runs, ms, &mut toks);
            self.people.candidates(ti, &toks, &mut fulls, &mut singles);
            ranges.push(from..all_matches.len());
        }
        let matches = ranges.into_iter().map(|r| &all_matches[r]);

        let (people, spans, name_tokens) = resolve_people(&fulls, &singles);

        let mut entities = Entities {
            people,
            ..Entities::default()
        };
        let mut seen_org: Vec<&str> = Vec::new();
        let mut seen_place: Vec<&str> = Vec::new();
        for (ti, (text, ms)) in texts.iter().zip(matches).enumerate() {
            for m in ms {
                let entry = self.gazetteer.entry(m);
                if entry.kind == EntryKind::Demonym {
                    continue;
                }
                let surface = &text[m.start..m.end];
                let in_person = spans
                    .iter()
                    .any(|&(t, s, e)| t == ti && s < m.end && m.start < e);
                if in_person || name_tokens.contains(surface) {
                    continue;
                }
                match entry.kind {
                    EntryKind::Organisation => {
                        if push_unique(&mut seen_org, entry.canonical) {
                            entities.organisations.push(entry.canonical.to_string());
                        }
                    }
                    EntryKind::Place => {
                        if push_unique(&mut seen_place, entry.canonical) {
                            entities.places.push(Place {
                                name: surface.to_string(),
                                country_code: entry.country.map(str::to_string),
                                coordinates: entry.coordinates,
                            });
                        }
                    }
                    EntryKind::Demonym => {}
                }
            }
        }
        entities
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::testing::{paras, seed_text};

    fn seed_entities() -> Entities {
        let text = seed_text();
        let ps = paras(&text);
        let refs: Vec<&str> = ps.iter().map(String::as_str).collect();
        EntityMatcher::global().find(&refs)
    }

    #[test]
    fn seed_people() {
        let e = seed_entities();
        for p in [
            "Donald Trump",
            "Vladimir Putin",
            "Volodymyr Zelenskyy",
            "Alexus Grynkewich",
            "Giuseppe Cavo Dragone",
        ] {
            assert!(
                e.people.iter().any(|x| x == p),
                "missing {p}: {:?}",
                e.people
            );
        }
        assert_eq!(e.people.len(), 5, "{:?}", e.people);
    }

    #[test]
    fn seed_organisations_and_places() {
        let e = seed_entities();
        assert!(
            e.organisations.iter().any(|o| o == "NATO"),
            "{:?}",
            e.organisations
        );
        for (name, cc) in [
            ("Ukraine", "UA"),
            ("Russia", "RU"),
            ("Kyiv", "UA"),
            ("Alaska", "US"),
            ("Sumy", "UA"),
            ("Odesa", "UA"),
            ("Moscow", "RU"),
            ("Japan", "JP"),
            ("Australia", "AU"),
        ] {
            let p = e
                .places
                .iter()
                .find(|p| p.name == name)
                .unwrap_or_else(|| panic!("missing {name}: {:?}", e.places));
            assert_eq!(p.country_code.as_deref(), Some(cc), "{name}");
            assert!(p.coordinates.is_some(), "{name}");
        }
        let kyiv = e.places.iter().find(|p| p.name == "Kyiv").unwrap();
        let (lat, lon) = kyiv.coordinates.unwrap();
        assert!((lat - 50.45).abs() < 0.1 && (lon - 30.52).abs() < 0.1);
        let all: Vec<&str> = e
            .people
            .iter()
            .map(String::as_str)
            .chain(e.organisations.iter().map(String::as_str))
            .chain(e.places.iter().map(|p| p.name.as_str()))
            .collect();
        for junk in [
            "Wednesday",
            "Telegram",
            "Military",
            "Kyiv's",
            "Italian",
            "Russian",
        ] {
            assert!(
                !all.iter().any(|x| x.contains(junk)),
                "junk {junk}: {all:?}"
            );
        }
        assert!(!e.people.iter().any(|p| p.contains("White House")));
    }

    #[test]
    fn surname_and_alias_resolution() {
        let m = EntityMatcher::global();
        let e = m.find(&[
            "Putin spoke first.",
            "Russian President Vladimir Putin met officials in Kiev and Odessa, Reuters reported.",
        ]);
        assert_eq!(e.people, vec!["Vladimir Putin".to_string()]);
        assert_eq!(e.organisations, vec!["Reuters".to_string()]);
        let names: Vec<&str> = e.places.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["Kiev", "Odessa"]);
        assert_eq!(e.places[1].country_code.as_deref(), Some("UA"));
    }

    #[test]
    fn common_words_are_not_places() {
        let e = EntityMatcher::global().find(&["Reading is fun. Nice work on the Mobile app."]);
        assert!(e.places.is_empty(), "{:?}", e.places);
        assert!(e.people.is_empty(), "{:?}", e.people);
    }

    #[test]
    fn given_name_and_said_cues() {
        let e = EntityMatcher::global().find(&[
            "Michael Stern opened the meeting. Later, Lopez Obrador said nothing. \
             Chancellor Merz arrived. The World Bank said growth slowed.",
        ]);
        assert_eq!(
            e.people,
            vec![
                "Michael Stern".to_string(),
                "Lopez Obrador".to_string(),
                "Merz".to_string()
            ]
        );
        assert_eq!(e.organisations, vec!["World Bank".to_string()]);
    }

    /// Prints the entities of the seed, or of the file named by `ENRICH_FILE`:
    /// `cargo test -- --ignored --nocapture print_entities`.
    #[test]
    #[ignore]
    fn print_entities() {
        let text = match std::env::var("ENRICH_FILE") {
            Ok(path) => std::fs::read_to_string(path).expect("readable ENRICH_FILE"),
            Err(_) => seed_text(),
        };
        let ps = paras(&text);
        let refs: Vec<&str> = ps.iter().map(String::as_str).collect();
        let e = EntityMatcher::global().find(&refs);
        eprintln!("people: {:?}", e.people);
        eprintln!("organisations: {:?}", e.organisations);
        for p in &e.places {
            eprintln!("place: {} {:?} {:?}", p.name, p.country_code, p.coordinates);
        }
    }
}
