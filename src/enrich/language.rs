//! Language of an article: a cheap English function-word test first, `whatlang` when it is
//! unsure (see the parent module for the method and its figures).

use crate::formats::textutil::floor_boundary;

/// Bytes of text that [`detect_language`] looks at.
pub const LANG_SAMPLE_BYTES: usize = 512;

/// Language of a text, ISO 639-1 code ("en"), via the `whatlang` crate; None when
/// unreliable/too short.
///
/// Only the first [`LANG_SAMPLE_BYTES`] bytes are examined; fewer than 12 letters gives `None`.
///
/// English is recognised by a cheap function-word test; anything else, or English the test is
/// unsure of, goes to [`detect_language_whatlang`] (see the module doc).
pub fn detect_language(text: &str) -> Option<&'static str> {
    let sample = prefix_at_char_boundary(text, LANG_SAMPLE_BYTES);
    match cheap_english(sample) {
        Cheap::TooShort => None,
        Cheap::English => Some("en"),
        Cheap::Unsure => whatlang_sample(sample),
    }
}

/// Language of a text by `whatlang` alone: the fallback of [`detect_language`], with the same
/// sample and the same `None` cases.
pub fn detect_language_whatlang(text: &str) -> Option<&'static str> {
    let sample = prefix_at_char_boundary(text, LANG_SAMPLE_BYTES);
    if !has_letters(sample, 12) {
        return None;
    }
    whatlang_sample(sample)
}

/// Fewest words in the sample for the cheap English test to answer.
pub const CHEAP_MIN_WORDS: usize = 20;

/// What the cheap English test found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cheap {
    /// Fewer than 12 letters: no language at all.
    TooShort,
    /// Clearly English.
    English,
    /// Not clearly English: ask `whatlang`.
    Unsure,
}

fn has_letters(sample: &str, n: usize) -> bool {
    sample.chars().filter(|c| c.is_alphabetic()).take(n).count() >= n
}

/// The cheap English test on a sample (see the module doc).
fn cheap_english(sample: &str) -> Cheap {
    let bytes = sample.as_bytes();
    let mut letters = 0usize;
    let mut non_ascii = 0usize;
    let mut words = 0usize;
    let mut english = 0usize;
    let mut foreign = 0usize;
    let mut the = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphabetic() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            letters += i - start;
            // A word glued to non-ASCII letters ("Zürich") is not a clean ASCII word.
            if i < bytes.len() && bytes[i] >= 0x80 {
                continue;
            }
            words += 1;
            let word = &bytes[start..i];
            if word.len() <= 6 {
                let mut buf = [0u8; 6];
                for (d, s) in buf.iter_mut().zip(word) {
                    *d = s.to_ascii_lowercase();
                }
                match function_word(&buf[..word.len()]) {
                    FunctionWord::The => {
                        the += 1;
                        english += 1;
                    }
                    FunctionWord::English => english += 1,
                    FunctionWord::Foreign => foreign += 1,
                    FunctionWord::None => {}
                }
            }
        } else if b >= 0x80 {
            non_ascii += 1;
            i += 1;
        } else {
            i += 1;
        }
    }
    if letters < 12 && !has_letters(sample, 12) {
        return Cheap::TooShort;
    }
    let english_enough = words >= CHEAP_MIN_WORDS
        && non_ascii * 20 <= bytes.len()
        && the >= 2
        && english * 5 >= words
        && foreign * 4 <= english;
    if english_enough {
        Cheap::English
    } else {
        Cheap::Unsure
    }
}

enum FunctionWord {
    The,
    English,
    Foreign,
    None,
}

/// Classifies a lower-case ASCII word of at most six letters.
fn function_word(w: &[u8]) -> FunctionWord {
    match w {
        b"the" => FunctionWord::The,
        b"of" | b"and" | b"to" | b"that" | b"with" | b"for" | b"was" | b"were" | b"said"
        | b"has" | b"have" | b"had" | b"from" | b"which" | b"this" | b"will" | b"would" | b"by"
        | b"are" | b"its" | b"their" | b"they" | b"been" | b"after" | b"but" | b"not" | b"it"
        | b"at" | b"he" | b"she" | b"his" | b"her" | b"who" | b"is" | b"on" | b"an" | b"be"
        | b"as" => FunctionWord::English,
        // German, French, Spanish, Italian, Portuguese, Dutch.
        b"der" | b"die" | b"und" | b"das" | b"nicht" | b"ist" | b"ein" | b"eine" | b"mit"
        | b"sich" | b"auf" | b"den" | b"dem" | b"zu" | b"le" | b"la" | b"les" | b"et" | b"des"
        | b"est" | b"une" | b"du" | b"pour" | b"dans" | b"qui" | b"que" | b"pas" | b"sur"
        | b"el" | b"los" | b"las" | b"y" | b"del" | b"por" | b"una" | b"con" | b"para" | b"se"
        | b"il" | b"di" | b"che" | b"della" | b"per" | b"non" | b"sono" | b"os" | b"uma"
        | b"com" | b"dos" | b"het" | b"een" | b"van" | b"en" | b"niet" | b"zijn" | b"met"
        | b"voor" => FunctionWord::Foreign,
        _ => FunctionWord::None,
    }
}

fn whatlang_sample(sample: &str) -> Option<&'static str> {
    let info = whatlang::detect(sample)?;
    if !info.is_reliable() {
        return None;
    }
    iso639_1(info.lang())
}

/// The longest prefix of `text` of at most `max` bytes that ends on a char boundary.
pub(super) fn prefix_at_char_boundary(text: &str, max: usize) -> &str {
    &text[..floor_boundary(text, max)]
}

fn iso639_1(lang: whatlang::Lang) -> Option<&'static str> {
    use whatlang::Lang::*;
    Some(match lang {
        Epo => "eo",
        Eng => "en",
        Rus => "ru",
        Cmn => "zh",
        Spa => "es",
        Por => "pt",
        Ita => "it",
        Ben => "bn",
        Fra => "fr",
        Deu => "de",
        Ukr => "uk",
        Kat => "ka",
        Ara => "ar",
        Hin => "hi",
        Jpn => "ja",
        Heb => "he",
        Yid => "yi",
        Pol => "pl",
        Amh => "am",
        Jav => "jv",
        Kor => "ko",
        Nob => "nb",
        Dan => "da",
        Swe => "sv",
        Fin => "fi",
        Tur => "tr",
        Nld => "nl",
        Hun => "hu",
        Ces => "cs",
        Ell => "el",
        Bul => "bg",
        Bel => "be",
        Mar => "mr",
        Kan => "kn",
        Ron => "ro",
        Slv => "sl",
        Hrv => "hr",
        Srp => "sr",
        Mkd => "mk",
        Lit => "lt",
        Lav => "lv",
        Est => "et",
        Tam => "ta",
        Vie => "vi",
        Urd => "ur",
        Tha => "th",
        Guj => "gu",
        Uzb => "uz",
        Pan => "pa",
        Aze => "az",
        Ind => "id",
        Tel => "te",
        Pes => "fa",
        Mal => "ml",
        Ori => "or",
        Mya => "my",
        Nep => "ne",
        Sin => "si",
        Khm => "km",
        Tuk => "tk",
        Aka => "ak",
        Zul => "zu",
        Sna => "sn",
        Afr => "af",
        Lat => "la",
        Slk => "sk",
        Cat => "ca",
        Tgl => "tl",
        Hye => "hy",
        Cym => "cy",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::testing::seed_text;

    #[test]
    fn language_detection() {
        assert_eq!(
            detect_language(
                "The government said on Tuesday that it would review the new rules after \
                 several companies complained that they had not been consulted."
            ),
            Some("en")
        );
        assert_eq!(
            detect_language(
                "Die Regierung hat am Dienstag erklärt, dass sie die neuen Regeln überprüfen \
                 werde, nachdem sich mehrere Unternehmen beschwert hatten."
            ),
            Some("de")
        );
        assert_eq!(detect_language("Hi"), None);
        assert_eq!(detect_language(""), None);
        assert_eq!(detect_language(&seed_text()), Some("en"));
    }

    #[test]
    fn cheap_english_test() {
        let seed = seed_text();
        let body = &seed[seed.find("NATO defence chiefs were due").unwrap()..];
        let sample = prefix_at_char_boundary(body, LANG_SAMPLE_BYTES);
        assert_eq!(cheap_english(sample), Cheap::English);
        assert_eq!(detect_language(body), Some("en"));
        assert_eq!(cheap_english("Hi there"), Cheap::TooShort);
        assert_eq!(cheap_english("Россия и Украина"), Cheap::Unsure);
        // Short English: too few words for the cheap test; whatlang answers.
        let short = "The government said on Tuesday that it would review the new rules.";
        assert_eq!(cheap_english(short), Cheap::Unsure);
        assert_eq!(detect_language(short), detect_language_whatlang(short));
        // Other languages are never taken for English, even with English names in them.
        for (text, lang) in [
            (
                "Die Regierung hat am Dienstag erklärt, dass sie die neuen Regeln für the Times \
                 und the Guardian überprüfen werde, nachdem sich mehrere Unternehmen beschwert \
                 hatten und die Opposition eine Debatte im Bundestag verlangt hatte.",
                "de",
            ),
            (
                "Le gouvernement a annoncé mardi qu'il allait revoir les nouvelles règles après \
                 que plusieurs entreprises se sont plaintes de ne pas avoir été consultées par \
                 le ministère, selon un communiqué publié dans la soirée à Paris.",
                "fr",
            ),
            (
                "El gobierno anunció el martes que revisará las nuevas normas después de que \
                 varias empresas se quejaron de que no habían sido consultadas por el ministerio \
                 de economía, según un comunicado publicado por la noche.",
                "es",
            ),
        ] {
            let sample = prefix_at_char_boundary(text, LANG_SAMPLE_BYTES);
            assert_eq!(cheap_english(sample), Cheap::Unsure, "{text}");
            assert_eq!(detect_language(text), Some(lang), "{text}");
            assert_eq!(detect_language_whatlang(text), Some(lang), "{text}");
        }
    }

    #[test]
    fn whatlang_fallback() {
        let en = "The government said on Tuesday that it would review the new rules after \
                  several companies complained that they had not been consulted.";
        assert_eq!(detect_language_whatlang(en), Some("en"));
        assert_eq!(detect_language_whatlang(&seed_text()), Some("en"));
        assert_eq!(detect_language_whatlang("Hi"), None);
        assert_eq!(detect_language_whatlang(""), None);
    }

    /// The cheap test agrees with whatlang wherever it answers: every file under the directory
    /// named by `LANG_CORPUS` (default `../shared/corpus`), cut into 512-byte samples.
    /// `cargo test --release -- --ignored --nocapture cheap_language_agrees_with_whatlang`.
    #[test]
    #[ignore]
    fn cheap_language_agrees_with_whatlang() {
        let dir = std::env::var("LANG_CORPUS")
            .unwrap_or_else(|_| format!("{}/../shared/corpus", env!("CARGO_MANIFEST_DIR")));
        let mut stack = vec![std::path::PathBuf::from(dir)];
        let (mut samples, mut cheap, mut disagree, mut unsure) = (0, 0, 0, 0);
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                for e in std::fs::read_dir(&path).unwrap() {
                    stack.push(e.unwrap().path());
                }
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let mut rest = text.as_str();
            while !rest.is_empty() {
                let sample = prefix_at_char_boundary(rest, LANG_SAMPLE_BYTES);
                let sample = if sample.is_empty() { rest } else { sample };
                rest = &rest[sample.len()..];
                samples += 1;
                if cheap_english(sample) == Cheap::English {
                    cheap += 1;
                    match whatlang_sample(sample) {
                        Some("en") => {}
                        None => unsure += 1,
                        Some(other) => {
                            disagree += 1;
                            eprintln!("{}: {other}: {sample:?}", path.display());
                        }
                    }
                }
            }
        }
        eprintln!(
            "{samples} samples, {cheap} answered \"en\" by the cheap test: whatlang says another \
             language for {disagree}, is unsure of {unsure}"
        );
        assert_eq!(disagree, 0);
    }
}
