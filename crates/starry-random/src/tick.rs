//! The tick hook: stirs the counter into the pool and reseeds on a schedule.

use starry_hooks::{ClockIf, register_hook, run_reseed_hooks};

use crate::{crng::Crng, global::try_with_crng, pool::Source};

/// The first scheduled reseed comes this long (1 s) after the first tick that
/// finds the generator seeded.
///
/// Early in boot little has been mixed in yet, so the generator reseeds
/// soon and often: each interval is twice the one before (1, 2, 4, ... s:
/// reseeds at about 1, 3, 7, 15, 31 s after seeding), until it reaches
/// [`RESEED_MAX_NANOS`].
pub const RESEED_FIRST_NANOS: u64 = 1_000_000_000;

/// The longest time between two scheduled reseeds (60 s, as Linux's
/// steady state).
pub const RESEED_MAX_NANOS: u64 = 60_000_000_000;

/// Every tick: hash the counter into the pool (its low bits vary with
/// interrupt latency), and reseed when the schedule says so. Runs in interrupt
/// context, so it never waits: if another CPU holds the generator, this tick
/// is skipped.
fn on_tick(clock: &dyn ClockIf) {
    let counter = clock.read_counter();
    let now_nanos = clock.counter_to_monotonic_nanos(counter);
    let reseeded = try_with_crng(|crng| {
        crng.mix(Source::Tick, &counter.to_le_bytes());
        scheduled_reseed(crng, now_nanos)
    });
    if let Some(Some(generation)) = reseeded {
        run_reseed_hooks(generation);
    }
}
register_hook!(TICK_HOOKS, on_tick);

/// Reseeds `crng` if its next scheduled reseed is due at `now_nanos`; returns
/// the new generation then.
///
/// Nothing is scheduled before the boot seeding (generation 0): the first
/// reseed is the kernel's [`seed_from_jitter`](crate::seed_from_jitter).
/// Forced reseeds do not move the schedule.
pub(crate) fn scheduled_reseed(crng: &mut Crng, now_nanos: u64) -> Option<u64> {
    if crng.generation() == 0 {
        return None;
    }
    match crng.next_reseed_nanos {
        Some(due) if now_nanos >= due => {
            let generation = crng.reseed();
            crng.reseed_interval_nanos = (crng.reseed_interval_nanos * 2).min(RESEED_MAX_NANOS);
            crng.next_reseed_nanos = Some(now_nanos + crng.reseed_interval_nanos);
            Some(generation)
        }
        Some(_) => None,
        None => {
            crng.next_reseed_nanos = Some(now_nanos + crng.reseed_interval_nanos);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: u64 = 1_000_000_000;

    #[test]
    fn no_schedule_before_the_first_seeding() {
        let mut crng = Crng::new(RESEED_FIRST_NANOS);
        for now in [0, 10 * SEC, 1000 * SEC] {
            assert_eq!(scheduled_reseed(&mut crng, now), None);
        }
        assert_eq!(crng.generation(), 0);
    }

    #[test]
    fn reseeds_double_their_interval_up_to_a_minute() {
        let mut crng = Crng::new(RESEED_FIRST_NANOS);
        crng.reseed();
        let mut reseeds = Vec::new();
        // A tick every 10 ms for 10 minutes.
        for tick in 0..60_000u64 {
            let now = 5 * SEC + tick * 10_000_000;
            if let Some(generation) = scheduled_reseed(&mut crng, now) {
                reseeds.push((now - 5 * SEC) / SEC);
                assert_eq!(generation, crng.generation());
            }
        }
        assert_eq!(reseeds[..7], [1, 3, 7, 15, 31, 63, 123]);
        assert!(reseeds.windows(2).skip(6).all(|w| w[1] - w[0] == 60));
        assert_eq!(crng.generation(), 1 + reseeds.len() as u64);
    }
}
