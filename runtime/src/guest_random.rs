//! The guest's WASI random sources (`wasi:random/random` and `wasi:random/insecure`): ChaCha8
//! streams the environment owns, seeded from the run's seed when it has one, and reseeded at
//! the start of a pinned invocation's phases, so that an event gets the same random numbers
//! in whatever environment answers it (the statelessness check).

use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};

use rand::{SeedableRng as _, TryRng};
use rand_chacha::ChaCha8Rng;
use wasmtime_wasi::WasiCtxBuilder;

/// The two streams of one environment; clones share them.
#[derive(Clone)]
pub(crate) struct GuestRandom {
    secure: Source,
    insecure: Source,
}

impl GuestRandom {
    /// Streams seeded from `seeds` (secure, insecure), or from the host's generator.
    fn new(seeds: Option<(u64, u64)>) -> Self {
        let (a, b) = seeds.unwrap_or_else(|| (rand::random(), rand::random()));
        GuestRandom {
            secure: Source::seeded(a),
            insecure: Source::seeded(b),
        }
    }

    /// Streams seeded from `seeds` given to the guest's WASI context, with the insecure seed
    /// the guest reads once (hash tables' keys) taken from the same seeds.
    pub(crate) fn install(wasi: &mut WasiCtxBuilder, seeds: Option<(u64, u64)>) -> Self {
        let random = GuestRandom::new(seeds);
        wasi.secure_random(random.secure.clone())
            .insecure_random(random.insecure.clone());
        if let Some((a, b)) = seeds {
            wasi.insecure_random_seed((u128::from(a) << 64) | u128::from(b));
        }
        random
    }

    /// Starts both streams again from `seeds`.
    pub(crate) fn reseed(&self, (a, b): (u64, u64)) {
        self.secure.reseed(a);
        self.insecure.reseed(b);
    }
}

/// One stream. The lock is the environment's own: only the thread running its guest takes it.
#[derive(Clone)]
struct Source(Arc<Mutex<ChaCha8Rng>>);

impl Source {
    fn seeded(seed: u64) -> Self {
        Source(Arc::new(Mutex::new(ChaCha8Rng::seed_from_u64(seed))))
    }

    fn reseed(&self, seed: u64) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = ChaCha8Rng::seed_from_u64(seed);
    }

    fn with<T>(&self, draw: impl FnOnce(&mut ChaCha8Rng) -> T) -> T {
        draw(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl TryRng for Source {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.with(ChaCha8Rng::try_next_u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.with(ChaCha8Rng::try_next_u64)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.with(|rng| rng.try_fill_bytes(dst))
    }
}

#[cfg(test)]
mod tests {
    use rand::Rng as _;

    use super::*;

    #[test]
    fn a_reseeded_stream_draws_what_a_fresh_one_would() {
        let random = GuestRandom::new(Some((1, 2)));
        let mut secure = random.secure.clone();
        let first: [u64; 3] = std::array::from_fn(|_| secure.next_u64());
        random.reseed((7, 8));
        let after: [u64; 3] = std::array::from_fn(|_| secure.next_u64());
        let mut fresh = GuestRandom::new(Some((7, 8))).secure;
        let expected: [u64; 3] = std::array::from_fn(|_| fresh.next_u64());
        assert_eq!(after, expected);
        assert_ne!(first, after);
    }
}
