//! Removing personal data from text before a feedback answer is published (NĐ 61 Art. 27.3:
//! information about people who give feedback is kept confidential; domain.md §8 "publish the
//! result"). What goes: ID numbers, phone numbers (any run of 9 or more digits, with spaces, dots
//! or dashes between them, and a leading `+`), e-mail addresses, and the submitter's own names
//! (matched without regard to case or diacritics).

use crate::text::fold;

/// What replaces a removed piece of personal data.
pub const MASK: &str = "[đã ẩn]";

/// `text` with ID numbers, phone numbers, e-mail addresses and each of `names` replaced by
/// [`MASK`]. Names shorter than two characters are ignored (they would mask ordinary words).
pub fn redact(text: &str, names: &[&str]) -> String {
    let masked = mask_names(text, names);
    let masked = mask_emails(&masked);
    mask_digit_runs(&masked)
}

/// Replaces runs of at least 9 digits, allowing single separators (space, `.`, `-`) between
/// digits and an optional leading `+` (`+84 912 345 678`, `0912.345.678`, `091234567890`).
fn mask_digit_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        let plus = chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if chars[i].is_ascii_digit() || plus {
            let mut j = if plus { i + 1 } else { i };
            let mut digits = 0;
            let mut end = j;
            while j < chars.len() {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                    j += 1;
                    end = j;
                } else if matches!(chars[j], ' ' | '.' | '-') && chars.get(j + 1).is_some_and(char::is_ascii_digit) {
                    j += 1;
                } else {
                    break;
                }
            }
            if digits >= 9 {
                out.push_str(MASK);
            } else {
                out.extend(&chars[start..end]);
            }
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Replaces `local@domain.tld` tokens.
fn mask_emails(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let is_part = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '%');
    let mut out = String::with_capacity(text.len());
    // Where the text not yet replaced begins: a local part never reaches back into an address
    // already masked (`a@b.c@d.e`), whose characters are no longer in `out`.
    let mut floor = 0;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '@' {
            let mut s = i;
            while s > floor && is_part(chars[s - 1]) {
                s -= 1;
            }
            let mut e = i + 1;
            while e < chars.len() && is_part(chars[e]) {
                e += 1;
            }
            while e > i + 1 && chars[e - 1] == '.' {
                e -= 1;
            }
            let domain: String = chars[i + 1..e].iter().collect();
            let local_len = i - s;
            if local_len > 0 && domain.contains('.') && !domain.starts_with('.') {
                let keep = out.chars().count() - local_len;
                out = out.chars().take(keep).collect();
                out.push_str(MASK);
                i = e;
                floor = e;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Replaces each name, matched on folded text (case and diacritics ignored) at word boundaries.
fn mask_names(text: &str, names: &[&str]) -> String {
    let mut out = text.to_owned();
    for name in names {
        let target = fold(name);
        if target.chars().count() < 2 {
            continue;
        }
        out = mask_one(&out, &target);
    }
    out
}

/// Replaces occurrences of `target` (already folded) in `text`. Each character of `text` is folded
/// on its own, so positions map back one to one (white space runs count as one space).
fn mask_one(text: &str, target: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let folded: Vec<String> =
        chars.iter().map(|c| if c.is_whitespace() { " ".into() } else { fold(&c.to_string()) }).collect();
    let tchars: Vec<char> = target.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    'outer: while i < chars.len() {
        let boundary_before = i == 0 || !chars[i - 1].is_alphanumeric();
        if boundary_before {
            let (mut j, mut k) = (i, 0);
            while k < tchars.len() && j < chars.len() {
                let f = &folded[j];
                if f.is_empty() {
                    j += 1;
                    continue;
                }
                if f == " " && tchars[k] == ' ' {
                    while j < chars.len() && chars[j].is_whitespace() {
                        j += 1;
                    }
                    k += 1;
                    continue;
                }
                let fc: Vec<char> = f.chars().collect();
                if tchars.len() - k < fc.len() || tchars[k..k + fc.len()] != fc[..] {
                    break;
                }
                k += fc.len();
                j += 1;
            }
            let boundary_after = j >= chars.len() || !chars[j].is_alphanumeric();
            if k == tchars.len() && boundary_after {
                out.push_str(MASK);
                i = j;
                continue 'outer;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_and_phone_numbers_are_masked_but_short_numbers_stay() {
        let s = redact("CCCD 091234567890, ĐT 0912.345.678 hoặc +84 912 345 678; hồ sơ số 12 ngày 30/4/2026", &[]);
        assert_eq!(s, "CCCD [đã ẩn], ĐT [đã ẩn] hoặc [đã ẩn]; hồ sơ số 12 ngày 30/4/2026");
    }

    #[test]
    fn emails_are_masked() {
        assert_eq!(redact("gửi an.nguyen@example.vn.", &[]), "gửi [đã ẩn].");
        assert_eq!(redact("a @ b", &[]), "a @ b");
        // Two addresses sharing characters: the second's local part stops at the first mask
        // (found by proptest: it used to underflow).
        assert_eq!(redact("-@0.a-+a+0@a.0", &[]), "[đã ẩn]@a.0");
        assert_eq!(redact("x@a.vn y@b.vn", &[]), "[đã ẩn] [đã ẩn]");
    }

    #[test]
    fn the_submitters_name_is_masked_whatever_the_case_or_diacritics() {
        let s = redact("Ông Nguyễn Văn An phản ánh; NGUYEN VAN AN đã chờ. Anh An", &["Nguyễn Văn An"]);
        assert_eq!(s, "Ông [đã ẩn] phản ánh; [đã ẩn] đã chờ. Anh An");
    }

    #[test]
    fn names_match_only_whole_words() {
        assert_eq!(redact("Thanh Hà và Thanh Hải", &["Thanh Hà"]), "[đã ẩn] và Thanh Hải");
        assert_eq!(redact("An Giang", &["A"]), "An Giang");
    }

    proptest::proptest! {
        #[test]
        fn redacted_text_never_keeps_nine_digits_in_a_row(s in "[0-9a-zđ .@+-]{0,60}") {
            let r = redact(&s, &[]);
            let mut run = 0;
            for c in r.chars() {
                if c.is_ascii_digit() { run += 1; proptest::prop_assert!(run < 9); } else { run = 0; }
            }
        }
    }
}
