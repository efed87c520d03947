//! Routing a package by the recipient's electronic organ identifier (QĐ 20/2020/QĐ-TTg,
//! domain.md §5.1 and §9) across the three levels commune ↔ province ↔ central.
//!
//! A peer is configured for a *pattern*: an exact organ id (`000.01.01.H08`), one of its
//! ancestors (a shorter id on the same branch, down to the level-1 code `H08`, i.e. the
//! province's own system), or `*` (the central axis, which knows everybody else). The route is
//! the most specific pattern that matches: the recipient itself, else its parent level, …, else
//! the province, else central. **Motcua**: domain.md names no routing rule; this follows how the
//! identifiers nest (each level adds one group next to the level-1 code's branch).

/// The catch-all pattern: the central exchange platform.
pub const CENTRAL: &str = "*";

/// How a route was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hop {
    /// A peer configured for the recipient itself.
    Direct,
    /// A peer for an ancestor `levels` groups up (1 = the parent level).
    Parent { levels: usize },
    /// The central catch-all.
    Central,
}

fn is_level1(group: &str) -> bool {
    let b = group.as_bytes();
    b.len() == 3 && (b'A'..=b'Y').contains(&b[0]) && b[1].is_ascii_digit() && b[2].is_ascii_digit()
}

/// The organ id's ancestors, nearest first, ending with its level-1 code. Groups are removed
/// from the end away from the level-1 code: `000.01.01.H08` → `01.01.H08`, `01.H08`, `H08`
/// (QCVN 102 order); `H08.01.02` → `H08.01`, `H08` (QĐ 20/2020 order). An id whose ends are not
/// a level-1 code has no ancestors.
pub fn ancestors(organ_id: &str) -> Vec<String> {
    let groups: Vec<&str> = organ_id.trim().split('.').collect();
    let mut out = Vec::new();
    if groups.len() < 2 {
        return out;
    }
    if groups.last().is_some_and(|g| is_level1(g)) {
        for start in 1..groups.len() {
            out.push(groups[start..].join("."));
        }
    } else if groups.first().is_some_and(|g| is_level1(g)) {
        for end in (1..groups.len()).rev() {
            out.push(groups[..end].join("."));
        }
    }
    out
}

/// The peer a package for `to` goes to: the first of `peers` whose `pattern` is `to`, else one of
/// its ancestors (nearest first), else [`CENTRAL`]. `None` when nothing matches (no central peer
/// configured): the package cannot leave and the sender is told so.
pub fn route<'a, T>(to: &str, peers: &'a [T], pattern: impl Fn(&T) -> &str) -> Option<(&'a T, Hop)> {
    let to = to.trim();
    let find = |p: &str| peers.iter().find(|peer| pattern(peer) == p);
    if let Some(peer) = find(to) {
        return Some((peer, Hop::Direct));
    }
    for (i, a) in ancestors(to).iter().enumerate() {
        if let Some(peer) = find(a) {
            return Some((peer, Hop::Parent { levels: i + 1 }));
        }
    }
    find(CENTRAL).map(|peer| (peer, Hop::Central))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peers(patterns: &[&'static str]) -> Vec<&'static str> {
        patterns.to_vec()
    }

    #[test]
    fn ancestors_walk_towards_the_level1_code_in_both_reading_orders() {
        assert_eq!(ancestors("000.01.01.H08"), ["01.01.H08", "01.H08", "H08"]);
        assert_eq!(ancestors("H08.01.02"), ["H08.01", "H08"]);
        assert_eq!(ancestors("H08"), Vec::<String>::new());
        assert_eq!(ancestors("01.02"), Vec::<String>::new());
    }

    #[test]
    fn a_peer_for_the_recipient_itself_wins() {
        let p = peers(&["*", "H08", "000.01.01.H08"]);
        assert_eq!(route("000.01.01.H08", &p, |s| s), Some((&"000.01.01.H08", Hop::Direct)));
    }

    #[test]
    fn a_commune_without_its_own_peer_goes_through_its_province() {
        let p = peers(&["*", "H08"]);
        assert_eq!(route("000.01.01.H08", &p, |s| s), Some((&"H08", Hop::Parent { levels: 3 })));
        let p = peers(&["*", "H08", "01.H08"]);
        assert_eq!(route("000.01.01.H08", &p, |s| s), Some((&"01.H08", Hop::Parent { levels: 2 })));
    }

    #[test]
    fn another_province_goes_through_the_central_axis() {
        let p = peers(&["H08", "*"]);
        assert_eq!(route("000.00.01.H01", &p, |s| s), Some((&"*", Hop::Central)));
    }

    #[test]
    fn without_a_central_peer_an_unknown_recipient_has_no_route() {
        let p = peers(&["H08"]);
        assert_eq!(route("000.00.01.H01", &p, |s| s), None);
    }

    #[test]
    fn a_similar_prefix_of_another_branch_never_matches() {
        // "01.H0" is not an ancestor of "000.01.01.H08": groups are compared whole.
        let p = peers(&["1.H08", "H0"]);
        assert_eq!(route("000.01.01.H08", &p, |s| s), None);
    }
}
