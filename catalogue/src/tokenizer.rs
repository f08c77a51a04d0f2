//! The free-text tokenizer: words for alphabetic scripts, unigrams and bigrams for CJK.
//!
//! Name and description are indexed into one field by [`TextTokenizer`]:
//! - a run of letters/digits outside CJK becomes one lowercased word ("GPS-2026" gives "gps",
//!   "2026"); full-width ASCII is folded to ASCII first; words over 64 bytes are dropped;
//! - a run of CJK characters (Han, kana, Hangul) gives every character and every pair of
//!   neighbours ("公交数据" gives 公 交 数 据 公交 交数 数据), so any part of a Chinese
//!   name is findable without a dictionary.
//!
//! A query is cut the same way by [`query_terms`], except that a CJK run of two or more
//! characters gives only its pairs; every term must occur (AND). So "交数" finds
//! "公交数据" and "数据 gps" finds an entry with both; two pairs that occur apart in a
//! text also match it (the index keeps no positions). Terms are looked up exactly, so user
//! input never goes through a query parser and can never be a syntax error.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name the tokenizer is registered under in the index.
pub(crate) const TOKENIZER: &str = "shuquan_text";
/// Longer words are not indexed (nor searched for).
const MAX_WORD_BYTES: usize = 64;

/// The index-side tokenizer (see the module documentation).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TextTokenizer;

/// The tokens of one text, precomputed.
pub(crate) struct TextTokenStream {
    tokens: std::vec::IntoIter<Token>,
    current: Token,
}

impl Tokenizer for TextTokenizer {
    type TokenStream<'a> = TextTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TextTokenStream {
        let mut tokens = Vec::new();
        for run in runs(text) {
            let mut push = |text: String, from: usize, to: usize| {
                let position = tokens.len();
                tokens.push(Token {
                    offset_from: from,
                    offset_to: to,
                    position,
                    text,
                    position_length: 1,
                });
            };
            match run {
                Run::Word { text, from, to } => push(text, from, to),
                Run::Cjk(chars) => {
                    for (i, &(at, c)) in chars.iter().enumerate() {
                        push(c.to_string(), at, at + c.len_utf8());
                        if let Some(&(next_at, next)) = chars.get(i + 1) {
                            push(bigram(c, next), at, next_at + next.len_utf8());
                        }
                    }
                }
            }
        }
        TextTokenStream {
            tokens: tokens.into_iter(),
            current: Token::default(),
        }
    }
}

impl TokenStream for TextTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(token) => {
                self.current = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// The distinct terms a query text must all match (see the module documentation).
pub(crate) fn query_terms(text: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for run in runs(text) {
        match run {
            Run::Word { text, .. } => terms.push(text),
            Run::Cjk(chars) if chars.len() == 1 => terms.push(chars[0].1.to_string()),
            Run::Cjk(chars) => {
                terms.extend(chars.windows(2).map(|pair| bigram(pair[0].1, pair[1].1)))
            }
        }
    }
    terms.sort();
    terms.dedup();
    terms
}

/// A maximal run of word characters (lowercased, at byte offsets `from..to`) or of CJK
/// characters (each with its byte offset).
enum Run {
    Word {
        text: String,
        from: usize,
        to: usize,
    },
    Cjk(Vec<(usize, char)>),
}

fn runs(text: &str) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut word: Option<(String, usize, usize)> = None;
    let mut cjk: Vec<(usize, char)> = Vec::new();
    for (at, raw) in text.char_indices() {
        let c = fold_full_width(raw);
        let end = at + raw.len_utf8();
        if is_cjk(c) {
            flush_word(&mut word, &mut runs);
            cjk.push((at, c));
        } else if c.is_alphanumeric() {
            if !cjk.is_empty() {
                runs.push(Run::Cjk(std::mem::take(&mut cjk)));
            }
            let (text, _, to) = word.get_or_insert_with(|| (String::new(), at, end));
            text.extend(c.to_lowercase());
            *to = end;
        } else {
            flush_word(&mut word, &mut runs);
            if !cjk.is_empty() {
                runs.push(Run::Cjk(std::mem::take(&mut cjk)));
            }
        }
    }
    flush_word(&mut word, &mut runs);
    if !cjk.is_empty() {
        runs.push(Run::Cjk(cjk));
    }
    runs
}

fn flush_word(word: &mut Option<(String, usize, usize)>, runs: &mut Vec<Run>) {
    if let Some((text, from, to)) = word.take() {
        if text.len() <= MAX_WORD_BYTES {
            runs.push(Run::Word { text, from, to });
        }
    }
}

fn bigram(a: char, b: char) -> String {
    let mut s = String::with_capacity(a.len_utf8() + b.len_utf8());
    s.push(a);
    s.push(b);
    s
}

/// Full-width ASCII (U+FF01..U+FF5E) to ASCII, so "ＧＰＳ" and "GPS" are one word.
fn fold_full_width(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Han ideographs (with extensions and compatibility forms), kana and Hangul.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF       // hiragana, katakana
        | 0x31F0..=0x31FF     // katakana phonetic extensions
        | 0x3400..=0x4DBF     // Han extension A
        | 0x4E00..=0x9FFF     // Han unified ideographs
        | 0xAC00..=0xD7AF     // Hangul syllables
        | 0xF900..=0xFAFF     // Han compatibility ideographs
        | 0x20000..=0x3FFFF   // Han extensions B and later
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_terms(text: &str) -> Vec<String> {
        let mut stream = TextTokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    #[test]
    fn words_and_cjk_grams() {
        assert_eq!(
            index_terms("Bus GPS-2026 公交数据"),
            ["bus", "gps", "2026", "公", "公交", "交", "交数", "数", "数据", "据"]
        );
        assert_eq!(index_terms("ＧＰＳ轨迹"), ["gps", "轨", "轨迹", "迹"]);
        assert_eq!(query_terms("公交数据 GPS"), ["gps", "交数", "公交", "数据"]);
        assert_eq!(query_terms("港 (x) AND \"*"), ["and", "x", "港"]);
        assert!(query_terms("!!! ...").is_empty());
    }
}
