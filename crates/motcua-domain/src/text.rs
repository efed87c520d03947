//! Vietnamese text folding for diacritics-insensitive search ("dang ky ket hon" finds
//! "Đăng ký kết hôn", "dat" finds "đất"; both databases store this folded shadow column), and
//! Vietnamese collation for every sorted list shown to people.

use std::cmp::Ordering;
use std::sync::LazyLock;

use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed, CollatorPreferences};
use unicode_normalization::UnicodeNormalization;

/// The Vietnamese collator (CLDR `vi` tailoring: a ă â b c d đ e ê … o ô ơ … u ư …, tones after
/// letters), from ICU4X's compiled data; `None` only if that data were missing for `vi`.
static VI: LazyLock<Option<CollatorBorrowed<'static>>> = LazyLock::new(|| {
    Collator::try_new(CollatorPreferences::from(&icu_locale_core::locale!("vi")), CollatorOptions::default()).ok()
});

/// Vietnamese alphabetical order ("Cấp" before "Chứng", "Đ" after "D", not last as byte order
/// puts it; TCVN 5712 order as CLDR writes it). Equal names keep a stable byte order.
pub fn collate(a: &str, b: &str) -> Ordering {
    let by_letters = VI.as_ref().map_or(Ordering::Equal, |c| c.compare(a, b));
    by_letters.then_with(|| a.cmp(b))
}

/// Lower-case, strip combining marks (NFD), map `đ`/`Đ` to `d`, and collapse white space.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_whitespace() {
            if !out.is_empty() {
                space = true;
            }
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{collate, fold};

    #[test]
    fn names_sort_in_vietnamese_alphabetical_order() {
        let mut v = vec!["Đăng ký", "Chứng thực", "Cấp", "Dịch vụ", "Ân", "An", "Xây dựng", "Ư", "Uống", "Ă"];
        v.sort_by(|a, b| collate(a, b));
        assert_eq!(v, ["An", "Ă", "Ân", "Cấp", "Chứng thực", "Dịch vụ", "Đăng ký", "Uống", "Ư", "Xây dựng"]);
    }

    #[test]
    fn folding_removes_vietnamese_diacritics_and_maps_d_with_stroke() {
        assert_eq!(fold("Đăng ký  kết hôn"), "dang ky ket hon");
        assert_eq!(fold("Đất đai"), "dat dai");
        assert_eq!(fold("  Chứng thực bản sao "), "chung thuc ban sao");
    }

    proptest::proptest! {
        #[test]
        fn collation_is_a_total_order(a in "[aăâbcdđeêoôơuưy ]{0,6}", b in "[aăâbcdđeêoôơuưy ]{0,6}", c in "[aăâbcdđeêoôơuưy ]{0,6}") {
            use std::cmp::Ordering::*;
            proptest::prop_assert_eq!(collate(&a, &b), collate(&b, &a).reverse());
            proptest::prop_assert_eq!(collate(&a, &b) == Equal, a == b);
            if collate(&a, &b) != Greater && collate(&b, &c) != Greater {
                proptest::prop_assert_ne!(collate(&a, &c), Greater);
            }
        }
    }
}
