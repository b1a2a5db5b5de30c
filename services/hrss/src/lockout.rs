//! Lock-out of the real-person check: after `max_failures` refused checks in a row the
//! card is locked for `lock_ms`; while locked every check is refused, even a correct one.
//! Pure arithmetic over the card's counters (the caller stores the result).

/// Counters of one card: refused checks since the last success or lock, and the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    pub failed: u32,
    /// Epoch ms until which the card is locked.
    pub locked_until: Option<i64>,
}

/// What a refused check leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Counted; this many checks are left before the lock.
    Counted { attempts_left: u32 },
    /// This failure locked the card until then (epoch ms).
    Locked { until: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub max_failures: u32,
    pub lock_ms: i64,
}

impl Policy {
    /// `Err(until)` while the card is locked at `now`. A lock that has run out gives a
    /// fresh set of attempts.
    pub fn gate(&self, c: Counters, now: i64) -> Result<Counters, i64> {
        match c.locked_until {
            Some(until) if now < until => Err(until),
            Some(_) => Ok(Counters::default()),
            None => Ok(c),
        }
    }

    /// Counts a refused check made at `now` on an unlocked card (as `gate` returned it).
    pub fn on_failure(&self, c: Counters, now: i64) -> (Counters, AfterFailure) {
        let failed = c.failed.saturating_add(1);
        if failed >= self.max_failures.max(1) {
            let until = now.saturating_add(self.lock_ms);
            // The count restarts when the lock runs out; the lock itself is what is stored.
            (Counters { failed: 0, locked_until: Some(until) }, AfterFailure::Locked { until })
        } else {
            (
                Counters { failed, locked_until: None },
                AfterFailure::Counted { attempts_left: self.max_failures - failed },
            )
        }
    }

    /// A passed check clears the counters.
    pub fn on_success(&self) -> Counters {
        Counters::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;
    const POLICY: Policy = Policy { max_failures: 5, lock_ms: 30 * MIN };

    #[test]
    fn the_fifth_refused_check_locks_the_card_for_the_period() {
        let mut c = Counters::default();
        let now = 1_000_000;
        for left in [4, 3, 2, 1] {
            let (next, after) = POLICY.on_failure(POLICY.gate(c, now).unwrap(), now);
            assert_eq!(after, AfterFailure::Counted { attempts_left: left });
            c = next;
        }
        let (c, after) = POLICY.on_failure(POLICY.gate(c, now).unwrap(), now);
        assert_eq!(after, AfterFailure::Locked { until: now + 30 * MIN });
        assert_eq!(c.locked_until, Some(now + 30 * MIN));
    }

    #[test]
    fn while_locked_every_check_is_refused_with_the_unlock_time() {
        let c = Counters { failed: 0, locked_until: Some(10 * MIN) };
        assert_eq!(POLICY.gate(c, 0), Err(10 * MIN));
        assert_eq!(POLICY.gate(c, 10 * MIN - 1), Err(10 * MIN));
    }

    #[test]
    fn an_expired_lock_gives_a_fresh_set_of_attempts() {
        let c = Counters { failed: 0, locked_until: Some(10 * MIN) };
        assert_eq!(POLICY.gate(c, 10 * MIN), Ok(Counters::default()));
        let (_, after) = POLICY.on_failure(Counters::default(), 10 * MIN);
        assert_eq!(after, AfterFailure::Counted { attempts_left: 4 });
    }

    #[test]
    fn a_success_clears_the_count() {
        let (c, _) = POLICY.on_failure(Counters::default(), 0);
        assert_eq!(c.failed, 1);
        assert_eq!(POLICY.on_success(), Counters::default());
    }

    #[test]
    fn the_threshold_and_period_are_settings() {
        let p = Policy { max_failures: 2, lock_ms: MIN };
        let (c, _) = p.on_failure(Counters::default(), 0);
        assert_eq!(p.on_failure(c, 5).1, AfterFailure::Locked { until: 5 + MIN });
    }
}
