//! Vietnamese text folding for diacritics-insensitive search ("dang ky ket hon" finds
//! "Đăng ký kết hôn", "dat" finds "đất"). Both databases store this folded shadow column.

use unicode_normalization::UnicodeNormalization;

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
    use super::fold;

    #[test]
    fn folding_removes_vietnamese_diacritics_and_maps_d_with_stroke() {
        assert_eq!(fold("Đăng ký  kết hôn"), "dang ky ket hon");
        assert_eq!(fold("Đất đai"), "dat dai");
        assert_eq!(fold("  Chứng thực bản sao "), "chung thuc ban sao");
    }
}
