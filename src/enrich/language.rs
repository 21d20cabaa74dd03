//! Language of an article: a cheap English function-word test first, `whatlang` when it is
//! unsure (see the parent module for the method and its figures).

use super::scan::Eight;
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
    let mut counts = Counts::default();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphabetic() {
            let start = i;
            // Letters eight at a time; the first eight, lower-cased, are the word's key.
            let first = Eight::at(bytes, i);
            let mut run = Eight::prefix(first.alpha);
            i += run;
            while run == 8 {
                run = Eight::prefix(Eight::at(bytes, i).alpha);
                i += run;
            }
            counts.letters += i - start;
            // A word glued to non-ASCII letters ("Zürich") is not a clean ASCII word.
            if i < bytes.len() && bytes[i] >= 0x80 {
                continue;
            }
            let len = i - start;
            counts.add_word(
                (len <= 6).then(|| function_word(first.lowered & ((1u64 << (8 * len)) - 1))),
            );
        } else {
            counts.non_ascii += usize::from(b >= 0x80);
            i += 1;
        }
    }
    counts.verdict(sample)
}

/// What the cheap English test counts in its sample.
#[derive(Debug, Default)]
struct Counts {
    /// ASCII letters.
    letters: usize,
    /// Bytes outside ASCII.
    non_ascii: usize,
    /// Clean ASCII words (not glued to non-ASCII letters).
    words: usize,
    /// English function words, "the" among them.
    english: usize,
    /// Function words of the other languages.
    foreign: usize,
    /// "the".
    the: usize,
}

impl Counts {
    /// Counts a clean ASCII word and its class (None for a word of more than six letters).
    fn add_word(&mut self, class: Option<FunctionWord>) {
        self.words += 1;
        match class {
            Some(FunctionWord::The) => {
                self.the += 1;
                self.english += 1;
            }
            Some(FunctionWord::English) => self.english += 1,
            Some(FunctionWord::Foreign) => self.foreign += 1,
            Some(FunctionWord::None) | None => {}
        }
    }

    /// The test's answer for the sample these counts come from.
    fn verdict(&self, sample: &str) -> Cheap {
        if self.letters < 12 && !has_letters(sample, 12) {
            return Cheap::TooShort;
        }
        let english_enough = self.words >= CHEAP_MIN_WORDS
            && self.non_ascii * 20 <= sample.len()
            && self.the >= 2
            && self.english * 5 >= self.words
            && self.foreign * 4 <= self.english;
        if english_enough {
            Cheap::English
        } else {
            Cheap::Unsure
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FunctionWord {
    The,
    English,
    Foreign,
    None,
}

/// English function words of the cheap test, "the" among them.
const ENGLISH_WORDS: &[&str] = &[
    "of", "and", "to", "that", "with", "for", "was", "were", "said", "has", "have", "had", "from",
    "which", "this", "will", "would", "by", "are", "its", "their", "they", "been", "after", "but",
    "not", "it", "at", "he", "she", "his", "her", "who", "is", "on", "an", "be", "as", "the",
];

/// Function words of German, French, Spanish, Italian, Portuguese and Dutch.
const FOREIGN_WORDS: &[&str] = &[
    "der", "die", "und", "das", "nicht", "ist", "ein", "eine", "mit", "sich", "auf", "den", "dem",
    "zu", "le", "la", "les", "et", "des", "est", "une", "du", "pour", "dans", "qui", "que", "pas",
    "sur", "el", "los", "las", "y", "del", "por", "una", "con", "para", "se", "il", "di", "che",
    "della", "per", "non", "sono", "os", "uma", "com", "dos", "het", "een", "van", "en", "niet",
    "zijn", "met", "voor",
];

/// A lower-case ASCII word of at most eight letters as a `u64`, its bytes little-endian.
const fn word_key(word: &[u8]) -> u64 {
    let mut key = 0u64;
    let mut j = 0;
    while j < word.len() {
        key |= (word[j] as u64) << (8 * j);
        j += 1;
    }
    key
}

/// Slots of the function-word table (a power of two, a little over twice the words).
const SLOTS: usize = 256;

/// The table slot a key starts its probe at.
const fn slot(key: u64) -> usize {
    (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as usize % SLOTS
}

/// The function words by [`word_key`], open addressing with linear probing: (key, class), key
/// 0 for an empty slot (no word is empty).
static FUNCTION_WORDS: [(u64, FunctionWord); SLOTS] = {
    let mut table = [(0u64, FunctionWord::None); SLOTS];
    let mut list = 0;
    while list < 2 {
        let words: &[&str] = if list == 0 {
            ENGLISH_WORDS
        } else {
            FOREIGN_WORDS
        };
        let mut w = 0;
        while w < words.len() {
            let word = words[w].as_bytes();
            let class = if list == 1 {
                FunctionWord::Foreign
            } else if word.len() == 3 && word[0] == b't' && word[1] == b'h' && word[2] == b'e' {
                FunctionWord::The
            } else {
                FunctionWord::English
            };
            let key = word_key(word);
            let mut s = slot(key);
            while table[s].0 != 0 {
                assert!(table[s].0 != key, "a function word is listed twice");
                s = (s + 1) % SLOTS;
            }
            table[s] = (key, class);
            w += 1;
        }
        list += 1;
    }
    table
};

/// Classifies a lower-case ASCII word of at most six letters given as its [`word_key`].
#[inline]
fn function_word(key: u64) -> FunctionWord {
    let mut s = slot(key);
    loop {
        let (k, class) = FUNCTION_WORDS[s];
        if k == key {
            return class;
        }
        if k == 0 {
            return FunctionWord::None;
        }
        s = (s + 1) % SLOTS;
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

    /// The function-word classes as the cheap test first had them, a plain match.
    fn function_word_reference(w: &[u8]) -> FunctionWord {
        match w {
            b"the" => FunctionWord::The,
            b"of" | b"and" | b"to" | b"that" | b"with" | b"for" | b"was" | b"were" | b"said"
            | b"has" | b"have" | b"had" | b"from" | b"which" | b"this" | b"will" | b"would"
            | b"by" | b"are" | b"its" | b"their" | b"they" | b"been" | b"after" | b"but"
            | b"not" | b"it" | b"at" | b"he" | b"she" | b"his" | b"her" | b"who" | b"is"
            | b"on" | b"an" | b"be" | b"as" => FunctionWord::English,
            b"der" | b"die" | b"und" | b"das" | b"nicht" | b"ist" | b"ein" | b"eine" | b"mit"
            | b"sich" | b"auf" | b"den" | b"dem" | b"zu" | b"le" | b"la" | b"les" | b"et"
            | b"des" | b"est" | b"une" | b"du" | b"pour" | b"dans" | b"qui" | b"que" | b"pas"
            | b"sur" | b"el" | b"los" | b"las" | b"y" | b"del" | b"por" | b"una" | b"con"
            | b"para" | b"se" | b"il" | b"di" | b"che" | b"della" | b"per" | b"non" | b"sono"
            | b"os" | b"uma" | b"com" | b"dos" | b"het" | b"een" | b"van" | b"en" | b"niet"
            | b"zijn" | b"met" | b"voor" => FunctionWord::Foreign,
            _ => FunctionWord::None,
        }
    }

    #[test]
    fn function_word_table() {
        for w in ENGLISH_WORDS.iter().chain(FOREIGN_WORDS) {
            let w = w.as_bytes();
            assert_eq!(
                function_word(word_key(w)),
                function_word_reference(w),
                "{w:?}"
            );
            assert_ne!(function_word(word_key(w)), FunctionWord::None, "{w:?}");
        }
        // Every word of up to three letters, and longer ones near the listed words.
        let letters = b"abcdefghijklmnopqrstuvwxyz";
        let mut words: Vec<Vec<u8>> = vec![Vec::new()];
        for len in 1..=3 {
            let shorter: Vec<Vec<u8>> = words
                .iter()
                .filter(|w| w.len() == len - 1)
                .cloned()
                .collect();
            for w in shorter {
                for &c in letters {
                    let mut longer = w.clone();
                    longer.push(c);
                    words.push(longer);
                }
            }
        }
        for w in ENGLISH_WORDS.iter().chain(FOREIGN_WORDS) {
            for &c in letters {
                let mut longer = w.as_bytes().to_vec();
                longer.push(c);
                words.push(longer.clone());
                longer.pop();
                longer.pop();
                longer.push(c);
                words.push(longer);
            }
        }
        for w in words.iter().filter(|w| !w.is_empty() && w.len() <= 6) {
            assert_eq!(
                function_word(word_key(w)),
                function_word_reference(w),
                "{w:?}"
            );
        }
    }

    proptest::proptest! {
        /// The cheap test's counts do not depend on how its words are read: any text of ASCII
        /// and other letters, spaces and punctuation gives the answer of a byte-by-byte reading.
        #[test]
        fn cheap_english_reads_words_as_bytes(
            text in "([a-zA-Z]{1,9}|the|The|and|der|Zürich|é|[ ,.0-9]){0,120}"
        ) {
            let sample = prefix_at_char_boundary(&text, LANG_SAMPLE_BYTES);
            proptest::prop_assert_eq!(cheap_english(sample), cheap_english_reference(sample));
        }
    }

    /// [`cheap_english`] as it first read its words, byte by byte.
    fn cheap_english_reference(sample: &str) -> Cheap {
        let bytes = sample.as_bytes();
        let mut counts = Counts::default();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii_alphabetic() {
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                counts.letters += i - start;
                if i < bytes.len() && bytes[i] >= 0x80 {
                    continue;
                }
                let word = bytes[start..i].to_ascii_lowercase();
                counts.add_word((word.len() <= 6).then(|| function_word_reference(&word)));
            } else {
                counts.non_ascii += usize::from(bytes[i] >= 0x80);
                i += 1;
            }
        }
        counts.verdict(sample)
    }

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
