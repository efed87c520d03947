//! Waiting and service times (domain.md §11: per-counter and per-officer wait/service-time
//! statistics). Waiting time = issue → first call; service time = first call → done. Tickets are
//! grouped by counter, by officer and by the local hour (UTC+7) of issue.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Ticket, TicketState, VN};

/// Totals of one slice of tickets.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Tickets issued in the slice (for counters and officers: tickets called there).
    pub tickets: u64,
    /// Tickets called at least once.
    pub called: u64,
    /// Tickets finished.
    pub done: u64,
    /// Tickets skipped and not re-queued (no-shows).
    pub skipped: u64,
    /// Tickets still waiting.
    pub waiting: u64,
    /// Mean waiting time of called tickets, seconds.
    pub avg_wait_seconds: Option<u64>,
    /// Longest waiting time of called tickets, seconds.
    pub max_wait_seconds: Option<u64>,
    /// Mean service time of finished tickets, seconds.
    pub avg_service_seconds: Option<u64>,
}

#[derive(Default)]
struct Acc {
    tickets: u64,
    called: u64,
    done: u64,
    skipped: u64,
    waiting: u64,
    wait_sum: u64,
    wait_max: u64,
    service_sum: u64,
}

impl Acc {
    fn add(&mut self, t: &Ticket) {
        self.tickets += 1;
        match t.state {
            TicketState::Waiting => self.waiting += 1,
            TicketState::Skipped => self.skipped += 1,
            TicketState::Done => self.done += 1,
            TicketState::Called | TicketState::Serving => {}
        }
        if let Some(c) = t.called_at {
            let w = (c - t.issued_at).whole_seconds().max(0) as u64;
            self.called += 1;
            self.wait_sum += w;
            self.wait_max = self.wait_max.max(w);
            if let (Some(d), TicketState::Done) = (t.done_at, t.state) {
                self.service_sum += (d - c).whole_seconds().max(0) as u64;
            }
        }
    }

    fn stats(&self) -> Stats {
        let done_with_call = self.done.min(self.called);
        Stats {
            tickets: self.tickets,
            called: self.called,
            done: self.done,
            skipped: self.skipped,
            waiting: self.waiting,
            avg_wait_seconds: (self.called > 0).then(|| self.wait_sum / self.called),
            max_wait_seconds: (self.called > 0).then_some(self.wait_max),
            avg_service_seconds: (done_with_call > 0).then(|| self.service_sum / done_with_call),
        }
    }
}

/// The figures of a set of tickets.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QueueMetrics {
    pub total: Stats,
    /// By counter id (tickets called there).
    pub by_counter: BTreeMap<String, Stats>,
    /// By officer username (tickets they called).
    pub by_officer: BTreeMap<String, Stats>,
    /// By local hour of issue, 0–23.
    pub by_hour: BTreeMap<u8, Stats>,
}

/// Computes the metrics of `tickets` (normally one day's).
pub fn compute(tickets: &[Ticket]) -> QueueMetrics {
    let mut total = Acc::default();
    let mut counters: BTreeMap<String, Acc> = BTreeMap::new();
    let mut officers: BTreeMap<String, Acc> = BTreeMap::new();
    let mut hours: BTreeMap<u8, Acc> = BTreeMap::new();
    for t in tickets {
        total.add(t);
        hours.entry(t.issued_at.to_offset(VN).hour()).or_default().add(t);
        if let Some(c) = &t.counter {
            counters.entry(c.clone()).or_default().add(t);
        }
        if let Some(o) = &t.officer {
            officers.entry(o.clone()).or_default().add(t);
        }
    }
    QueueMetrics {
        total: total.stats(),
        by_counter: counters.into_iter().map(|(k, a)| (k, a.stats())).collect(),
        by_officer: officers.into_iter().map(|(k, a)| (k, a.stats())).collect(),
        by_hour: hours.into_iter().map(|(k, a)| (k, a.stats())).collect(),
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;
    use time::macros::datetime;

    use super::*;

    #[test]
    fn waiting_and_service_times_per_counter_officer_and_local_hour() {
        let t0 = datetime!(2026-05-25 01:00 UTC); // 08:00 in Vietnam
        let mk = |n: &str, issued: i64, called: Option<i64>, done: Option<i64>, counter: &str| {
            let mut t = crate::queue::tests::ticket(n, None, t0 + Duration::minutes(issued));
            t.called_at = called.map(|m| t0 + Duration::minutes(m));
            t.done_at = done.map(|m| t0 + Duration::minutes(m));
            t.state = match (called, done) {
                (None, _) => TicketState::Waiting,
                (Some(_), None) => TicketState::Called,
                _ => TicketState::Done,
            };
            if called.is_some() {
                t.counter = Some(counter.into());
                t.officer = Some(format!("cb.{counter}"));
            }
            t
        };
        let m = compute(&[
            mk("A001", 0, Some(10), Some(25), "Q1"),
            mk("A002", 5, Some(25), Some(30), "Q1"),
            mk("A003", 70, Some(80), None, "Q2"),
            mk("A004", 75, None, None, ""),
        ]);
        assert_eq!(m.total.tickets, 4);
        assert_eq!(m.total.avg_wait_seconds, Some((10 + 20 + 10) * 60 / 3));
        assert_eq!(m.total.max_wait_seconds, Some(20 * 60));
        assert_eq!(m.by_counter["Q1"].avg_service_seconds, Some(10 * 60));
        assert_eq!(m.by_counter["Q2"].avg_service_seconds, None);
        assert_eq!(m.by_officer["cb.Q1"].done, 2);
        assert_eq!((m.by_hour[&8].tickets, m.by_hour[&9].tickets, m.by_hour[&9].waiting), (2, 2, 1));
    }
}
