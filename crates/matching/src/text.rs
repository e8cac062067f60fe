//! The product full-text index: tantivy finds candidates, token similarity ranks them.
//!
//! BM25 alone prefers short names and cannot tell `M8x40 A2` from `M8x40 A4`;
//! so the candidates tantivy returns are re-ranked by how many of the line's
//! words the product has ([`similarity`]). Words with digits (sizes, grades,
//! standards) must match exactly; other words may have a typo.

use std::path::Path;

use domain::product::Product;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, FuzzyTermQuery, Occur, Query, RegexQuery, TermQuery};
use tantivy::schema::{FAST, Field, IndexRecordOption, Schema, TEXT};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term, doc};

use crate::MatchingError;

/// Words that say nothing about which product is meant.
const STOP_WORDS: &[&str] = &[
    "mm", "x", "und", "and", "mit", "with", "the", "der", "die", "das", "for", "für", "st", "stk", "pcs",
];

pub struct TextIndex {
    reader: IndexReader,
    text: Field,
    analyzer: TextAnalyzer,
}

impl TextIndex {
    /// Builds the index in memory.
    pub fn build(products: &[Product]) -> Result<TextIndex, MatchingError> {
        Self::fill(Index::create_in_ram(Self::schema()), products)
    }

    /// Builds the index into the empty folder `dir`, where [`TextIndex::open`] finds it.
    pub fn build_in(dir: &Path, products: &[Product]) -> Result<TextIndex, MatchingError> {
        Self::fill(Index::create_in_dir(dir, Self::schema())?, products)
    }

    /// Opens an index [`TextIndex::build_in`] wrote (memory-mapped, nothing rebuilt).
    pub fn open(dir: &Path) -> Result<TextIndex, MatchingError> {
        let index = Index::open_in_dir(dir)?;
        let text = index.schema().get_field("text")?;
        let reader = Self::reader(&index)?;
        let analyzer = index.tokenizer_for_field(text)?;
        Ok(TextIndex { reader, text, analyzer })
    }

    /// A reader that never reloads: the index does not change once built
    /// (and no thread watches its folder).
    fn reader(index: &Index) -> Result<IndexReader, MatchingError> {
        Ok(index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?)
    }

    fn schema() -> Schema {
        let mut schema = Schema::builder();
        schema.add_u64_field("id", FAST);
        schema.add_text_field("text", TEXT);
        schema.build()
    }

    fn fill(index: Index, products: &[Product]) -> Result<TextIndex, MatchingError> {
        let schema = index.schema();
        let (id, text) = (schema.get_field("id")?, schema.get_field("text")?);
        // One indexing thread keeps the documents in catalog order in one
        // segment, so products with equal scores come back in the same order
        // on every build (several threads spread them at random). Beyond
        // 100,000 products several segments search about twice as fast (p50
        // 1.0 ms against 1.9 ms per description on a million products), and
        // only exact ties at the candidate cut-off may differ between builds.
        let (threads, budget) = if products.len() <= 100_000 {
            (1, 256_000_000)
        } else {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
            (threads, 64_000_000 * threads)
        };
        let mut writer: IndexWriter = index.writer_with_num_threads(threads, budget)?;
        for (i, p) in products.iter().enumerate() {
            writer.add_document(doc!(id => i as u64, text => searchable_text(p)))?;
        }
        writer.commit()?;
        let reader = Self::reader(&index)?;
        let analyzer = index.tokenizer_for_field(text)?;
        Ok(TextIndex { reader, text, analyzer })
    }

    /// The best `limit` products for a description, re-ranked by similarity, best first.
    pub fn rank(&self, products: &[Product], description: &str, limit: usize) -> Vec<(usize, f32)> {
        let tokens = self.tokens(description);
        if tokens.is_empty() {
            return Vec::new();
        }
        let searcher = self.reader.searcher();
        let known: Vec<bool> = tokens
            .iter()
            .map(|t| {
                searcher
                    .doc_freq(&Term::from_field_text(self.text, t))
                    .is_ok_and(|n| n > 0)
            })
            .collect();
        let exact = self.query(&tokens, &known, false);
        let mut candidates = self.search(&exact, limit * 4);
        // Fuzzy terms only for words the catalog does not have (typos), and
        // only when the exact words found nothing convincing.
        let needs_fuzzy = known.iter().any(|k| !k)
            && candidates
                .first()
                .is_none_or(|&i| similarity(&tokens, &product_tokens(self, &products[i])) < 0.9);
        if needs_fuzzy {
            let fuzzy = self.query(&tokens, &known, true);
            for c in self.search(&fuzzy, limit * 4) {
                if !candidates.contains(&c) {
                    candidates.push(c);
                }
            }
        }
        let mut ranked: Vec<(usize, f32)> = candidates
            .into_iter()
            .map(|i| (i, similarity(&tokens, &product_tokens(self, &products[i]))))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(limit);
        ranked
    }

    /// Products with a word beginning with each word typed: `sechskant m8`
    /// finds `Sechskantschraube … M8x40`. Best first; single letters are
    /// passed over (one names half the catalog).
    pub fn starting_with(&self, typed: &str, limit: usize) -> Vec<usize> {
        let mut analyzer = self.analyzer.clone();
        let mut stream = analyzer.token_stream(typed);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        while stream.advance() {
            let word = &stream.token().text;
            if word.chars().count() < 2 {
                continue;
            }
            // The tokenizer keeps letters and digits only: the word needs no escaping.
            match RegexQuery::from_pattern(&format!("{word}.*"), self.text) {
                Ok(q) => clauses.push((Occur::Must, Box::new(q))),
                Err(_) => return Vec::new(),
            }
        }
        if clauses.is_empty() {
            return Vec::new();
        }
        self.search(&BooleanQuery::new(clauses), limit)
    }

    /// Sizes and grades the catalog knows must be present (they narrow a
    /// million products to a few hundred); the other words count towards the score.
    fn query(&self, tokens: &[String], known: &[bool], fuzzy: bool) -> BooleanQuery {
        let clauses: Vec<(Occur, Box<dyn Query>)> = tokens
            .iter()
            .zip(known)
            .filter(|(_, known)| **known || fuzzy)
            .map(|(t, known)| {
                let term = Term::from_field_text(self.text, t);
                let sized = t.chars().any(|c| c.is_ascii_digit()) && t.chars().any(char::is_alphabetic);
                if !known {
                    let q: Box<dyn Query> = if t.len() >= 5 && !t.chars().any(|c| c.is_ascii_digit()) {
                        Box::new(FuzzyTermQuery::new(term, if t.len() >= 9 { 2 } else { 1 }, true))
                    } else {
                        Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
                    };
                    return (Occur::Should, q);
                }
                let occur = if sized { Occur::Must } else { Occur::Should };
                let q: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
                (occur, q)
            })
            .collect();
        BooleanQuery::new(clauses)
    }

    fn search(&self, query: &BooleanQuery, limit: usize) -> Vec<usize> {
        let searcher = self.reader.searcher();
        let Ok(hits) = searcher.search(query, &TopDocs::with_limit(limit).order_by_score()) else {
            return Vec::new();
        };
        hits.into_iter()
            .filter_map(|(_, addr)| {
                let column = searcher.segment_reader(addr.segment_ord).fast_fields().u64("id").ok()?;
                column.first(addr.doc_id).map(|v| v as usize)
            })
            .collect()
    }

    fn tokens(&self, text: &str) -> Vec<String> {
        let mut analyzer = self.analyzer.clone();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token().text.clone();
            if !STOP_WORDS.contains(&t.as_str()) && !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }
}

fn searchable_text(p: &Product) -> String {
    let mut text = format!(
        "{} {} {}",
        p.sku.as_str(),
        p.name,
        p.description.as_deref().unwrap_or("")
    );
    for (_, v) in &p.attributes {
        text.push(' ');
        text.push_str(v);
    }
    text
}

/// The name's and the description's words, each set on its own.
fn product_tokens(index: &TextIndex, p: &Product) -> [Vec<String>; 2] {
    [
        index.tokens(&format!("{} {}", p.sku.as_str(), p.name)),
        index.tokens(&format!(
            "{} {}",
            p.sku.as_str(),
            p.description.as_deref().unwrap_or("")
        )),
    ]
}

/// How well a line's words fit a product's, in [0,1]: mostly whether every word
/// of the line is found (recall), a little whether the product has words the
/// line does not (precision). The better of name and description counts.
/// Sizes and grades (`m8x40`, `a2`: letters with digits) weigh three times a
/// plain word and the kind of product (a long word) twice: they are what
/// tells neighbouring products apart.
pub fn similarity(query: &[String], product: &[Vec<String>; 2]) -> f32 {
    let weight = |w: &str| {
        let digits = w.chars().any(|c| c.is_ascii_digit());
        let letters = w.chars().any(char::is_alphabetic);
        if digits && letters {
            3.0
        } else if letters && w.chars().count() >= 6 {
            2.0
        } else {
            1.0
        }
    };
    let total: f32 = query.iter().map(|q| weight(q)).sum();
    product
        .iter()
        .map(|words| {
            if query.is_empty() || words.is_empty() {
                return 0.0;
            }
            let found: f32 = query.iter().map(|q| word_match(q, words) * weight(q)).sum();
            let plain: f32 = query.iter().map(|q| word_match(q, words)).sum();
            let recall = found / total;
            let precision = (plain / words.len() as f32).min(1.0);
            0.8 * recall + 0.2 * precision
        })
        .fold(0.0, f32::max)
}

fn word_match(word: &str, words: &[String]) -> f32 {
    if words.iter().any(|w| w == word) {
        return 1.0;
    }
    if word.chars().any(|c| c.is_ascii_digit()) || word.chars().count() < 4 {
        return 0.0;
    }
    words
        .iter()
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .map(|w| strsim::normalized_damerau_levenshtein(word, w) as f32)
        .filter(|s| *s >= 0.8)
        .fold(0.0, f32::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn sizes_must_match_exactly_words_may_have_typos() {
        let product = [words("sechskantschraube din 933 m8x40 a2"), words("hexagon head screw")];
        let exact = similarity(&words("sechskantschraube m8x40 a2"), &product);
        let typo = similarity(&words("sechskantschraub m8x40 a2"), &product);
        let other_grade = similarity(&words("sechskantschraube m8x40 a4"), &product);
        assert!(exact > 0.9, "{exact}");
        assert!(typo > 0.85 && typo < exact, "{typo}");
        assert!(other_grade < 0.75, "{other_grade}");
    }
}
