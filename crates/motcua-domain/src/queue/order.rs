//! Which waiting ticket a counter calls next.
//!
//! The sources require priority groups (domain.md §11; NĐ 61/2018 Art. 13 facilities for the
//! people the one-stop must help) but give no ordering rule. Motcua's rule (configurable per group
//! with [`CounterGroup::max_priority_run`], default 3):
//!
//! 1. Within a class (priority / normal) the ticket issued first is called first (FIFO by issue
//!    time, then id). A transferred or re-queued ticket keeps its issue time.
//! 2. A waiting priority ticket goes before normal tickets…
//! 3. …but after `max_priority_run` priority calls in a row in the group, the oldest normal ticket
//!    is called if one waits. So a normal ticket with `n` normal tickets ahead is called within
//!    `(n + 1) × (max_priority_run + 1)` calls, whatever arrives meanwhile (no starvation), and a
//!    priority ticket with `p` priority tickets ahead within `2 (p + 1)` calls.
//!
//! The store passes only the tickets of the current local day: a ticket left waiting yesterday is
//! never called today.

use time::OffsetDateTime;

use super::{Counter, CounterGroup, Ticket, TicketState};

/// One group's queue as the rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct Queue<'a> {
    pub group: &'a CounterGroup,
    /// Tickets of the group (any state; only waiting ones issued by `now` count).
    pub tickets: &'a [Ticket],
    /// Priority tickets called in a row in this group since the last normal call.
    pub priority_run: u32,
}

fn fifo_key(t: &Ticket) -> (OffsetDateTime, &str) {
    (t.issued_at, t.id.as_str())
}

/// The ticket `counter` calls now, or `None` when nobody waits in its group.
pub fn next_ticket<'a>(q: &Queue<'a>, counter: &Counter, now: OffsetDateTime) -> Option<&'a Ticket> {
    if counter.group != q.group.code {
        return None;
    }
    let waiting = || {
        q.tickets.iter().filter(|t| t.state == TicketState::Waiting && t.group == q.group.code && t.issued_at <= now)
    };
    let oldest_priority = waiting().filter(|t| t.priority.is_some()).min_by(|a, b| fifo_key(a).cmp(&fifo_key(b)));
    let oldest_normal = waiting().filter(|t| t.priority.is_none()).min_by(|a, b| fifo_key(a).cmp(&fifo_key(b)));
    match (oldest_priority, oldest_normal) {
        (Some(p), Some(_)) if q.priority_run < q.group.max_priority_run.max(1) => Some(p),
        (Some(_), Some(n)) => Some(n),
        (p, n) => p.or(n),
    }
}

/// The group's priority run after calling `called`.
pub fn run_after(run: u32, called: &Ticket) -> u32 {
    if called.priority.is_some() { run.saturating_add(1) } else { 0 }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::Duration;
    use time::macros::datetime;

    use super::*;
    use crate::queue::{Priority, call};

    fn group(k: u32) -> CounterGroup {
        CounterGroup {
            code: "G".into(),
            unit: "C1".into(),
            name: "G".into(),
            fields: vec![],
            prefix: "A".into(),
            max_priority_run: k,
        }
    }

    fn counter(i: usize) -> Counter {
        Counter { id: format!("Q{i}"), name: format!("Quầy {i}"), group: "G".into() }
    }

    fn ticket(n: usize, priority: bool, at: OffsetDateTime) -> Ticket {
        let number = format!("A{n:03}");
        Ticket {
            id: number.clone(),
            number,
            group: "G".into(),
            priority: priority.then_some(Priority::Elderly),
            issued_at: at,
            state: TicketState::Waiting,
            counter: None,
            officer: None,
            called_at: None,
            done_at: None,
            calls: 0,
            transferred_from: None,
            dossier: None,
            version: 1,
        }
    }

    #[test]
    fn priority_goes_first_but_a_normal_ticket_gets_a_turn_after_the_run() {
        let t0 = datetime!(2026-05-25 01:00 UTC);
        let g = group(2);
        let mut tickets = vec![ticket(1, false, t0)];
        for i in 2..6 {
            tickets.push(ticket(i, true, t0 + Duration::minutes(i as i64)));
        }
        let mut run = 0;
        let mut order = vec![];
        let now = t0 + Duration::hours(1);
        while let Some(t) = next_ticket(&Queue { group: &g, tickets: &tickets, priority_run: run }, &counter(1), now) {
            let t = t.clone();
            run = run_after(run, &t);
            order.push(t.number.clone());
            for x in tickets.iter_mut().filter(|x| x.id == t.id) {
                x.state = TicketState::Called;
            }
        }
        assert_eq!(order, ["A002", "A003", "A001", "A004", "A005"]);
    }

    #[test]
    fn a_counter_of_another_group_and_tickets_issued_later_are_not_called() {
        let t0 = datetime!(2026-05-25 01:00 UTC);
        let g = group(3);
        let tickets = vec![ticket(1, false, t0)];
        let q = Queue { group: &g, tickets: &tickets, priority_run: 0 };
        let other = Counter { id: "Q9".into(), name: "Q9".into(), group: "H".into() };
        assert!(next_ticket(&q, &other, t0).is_none());
        assert!(next_ticket(&q, &counter(1), t0 - Duration::seconds(1)).is_none());
    }

    /// One simulated event: a ticket arrives (priority or not) or a counter calls.
    #[derive(Debug, Clone)]
    enum Op {
        Issue(bool),
        Call(usize),
    }

    fn ops() -> impl Strategy<Value = Vec<Op>> {
        prop::collection::vec(prop_oneof![any::<bool>().prop_map(Op::Issue), (0usize..3).prop_map(Op::Call)], 1..120)
    }

    proptest! {
        #[test]
        fn fifo_within_a_class_priority_first_no_starvation_and_one_counter_per_ticket(
            k in 1u32..5,
            ops in ops(),
        ) {
            let g = group(k);
            let t0 = datetime!(2026-05-25 01:00 UTC);
            let mut tickets: Vec<Ticket> = vec![];
            // For each ticket: the number of calls made since it was issued, and how many of its
            // class were waiting ahead of it when it arrived.
            let mut since: Vec<(usize, usize)> = vec![];
            let mut run = 0u32;
            for (i, op) in ops.iter().enumerate() {
                let now = t0 + Duration::seconds(i as i64);
                match op {
                    Op::Issue(p) => {
                        let ahead = tickets.iter().filter(|t| t.state == TicketState::Waiting && t.priority.is_some() == *p).count();
                        tickets.push(ticket(tickets.len() + 1, *p, now));
                        since.push((0, ahead));
                    }
                    Op::Call(c) => {
                        let q = Queue { group: &g, tickets: &tickets, priority_run: run };
                        let Some(chosen) = next_ticket(&q, &counter(*c), now).cloned() else {
                            prop_assert!(tickets.iter().all(|t| t.state != TicketState::Waiting));
                            continue;
                        };
                        let waiting: Vec<&Ticket> = tickets.iter().filter(|t| t.state == TicketState::Waiting).collect();
                        // FIFO within the chosen class.
                        prop_assert!(waiting.iter()
                            .filter(|t| t.priority.is_some() == chosen.priority.is_some())
                            .all(|t| fifo_key(t) >= fifo_key(&chosen)));
                        // Priority respected while the run allows it.
                        if run < k && waiting.iter().any(|t| t.priority.is_some()) {
                            prop_assert!(chosen.priority.is_some());
                        }
                        // Never more than k priority calls in a row while a normal ticket waits.
                        if waiting.iter().any(|t| t.priority.is_none()) {
                            prop_assert!(chosen.priority.is_none() || run < k);
                        }
                        run = run_after(run, &chosen);
                        let called = call(&chosen, &counter(*c), "officer", now).map_err(|e| TestCaseError::fail(e.message))?;
                        // A called ticket cannot be called again, by this counter or another.
                        prop_assert!(call(&called, &counter((*c + 1) % 3), "other", now).is_err());
                        for (j, t) in tickets.iter_mut().enumerate() {
                            if t.state == TicketState::Waiting {
                                since[j].0 += 1;
                            }
                            if t.id == called.id {
                                *t = called.clone();
                            }
                        }
                    }
                }
                // No starvation: every waiting ticket is within its bound.
                for (j, t) in tickets.iter().enumerate() {
                    if t.state == TicketState::Waiting {
                        let (calls, ahead) = since[j];
                        let bound = if t.priority.is_some() { 2 * (ahead + 1) } else { (ahead + 1) * (k as usize + 1) };
                        prop_assert!(calls < bound, "ticket {} waited {} calls (bound {})", t.number, calls, bound);
                    }
                }
            }
        }
    }
}
