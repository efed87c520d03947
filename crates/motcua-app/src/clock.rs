//! The application's clock: every handler and use case asks [`crate::Application::now`] instead of
//! reading the system time itself, so a test (or a simulation) can run the whole application at
//! a chosen instant — the day before a holiday, the last minute of a month — and get the same
//! answers every time. Decisions carry the instant they were taken at in their events; folding
//! never reads a clock (DESIGN.md).

use std::sync::Mutex;

use time::OffsetDateTime;

/// Where the current instant comes from.
pub trait Clock: Send + Sync {
    /// The current instant (UTC).
    fn now(&self) -> OffsetDateTime;
}

/// The system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that shows a set instant until it is set or advanced (tests, simulations).
#[derive(Debug)]
pub struct FixedClock(Mutex<OffsetDateTime>);

impl FixedClock {
    /// A clock standing at `at`.
    pub fn at(at: OffsetDateTime) -> FixedClock {
        FixedClock(Mutex::new(at))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: OffsetDateTime) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: time::Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        match self.0.lock() {
            Ok(t) => *t,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

/// `t` truncated to whole seconds (what is stored and shown).
pub fn whole_seconds(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

/// RFC 3339 in UTC+7 (how instants are sent to Vietnamese clients).
pub fn local(t: OffsetDateTime) -> String {
    use time::format_description::well_known::Rfc3339;
    t.to_offset(motcua_domain::dossier::timeliness::VN_OFFSET).format(&Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_stands_still_until_moved() {
        let t0 = time::macros::datetime!(2026-04-29 16:59:59.5 UTC);
        let c = FixedClock::at(t0);
        assert_eq!((c.now(), c.now()), (t0, t0));
        c.advance(time::Duration::seconds(1));
        assert_eq!(c.now(), t0 + time::Duration::seconds(1));
        c.set(t0);
        assert_eq!(whole_seconds(c.now()), time::macros::datetime!(2026-04-29 16:59:59 UTC));
    }
}
