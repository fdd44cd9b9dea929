//! The environments of a function and the account's concurrency: the one owner of both.
//!
//! A [`Pool`] admits an invocation (reclaiming idle environments, checking the reserved and
//! account concurrency and the scaling rate's token bucket, handing out a free environment),
//! takes it back afterwards (kept warm, or destroyed, then the cap on warm environments), and
//! evicts, kills and destroys environments for the chaos API. The [`Account`] is shared by
//! every pool of a runtime: the unreserved concurrency pool and the reservations.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use crate::config::{EvictionPolicy, ScalingRate};
use crate::environment::Environment;
use crate::tmp::TmpDirs;
use crate::{Error, Result};

/// The account's concurrency, shared by every function of a runtime.
pub(crate) struct Account {
    /// The account's concurrency limit.
    limit: u32,
    /// Whether time is simulated (then busy counts are read from the pools at each instant).
    virtual_clock: bool,
    /// Every function's pool, for the account's limit.
    pools: Mutex<Vec<Weak<Pool>>>,
    /// Held while an invocation is admitted on a virtual clock, so that limits read across
    /// pools are checked and taken at once (a real clock takes them with atomics).
    admission: Mutex<()>,
    /// Invocations of functions without reserved concurrency being served on the host (real
    /// clock; a virtual one counts busy environments at each instant).
    unreserved_busy: AtomicU32,
    /// The sum of the loaded functions' reserved concurrency.
    reserved_total: AtomicU32,
}

/// A function's environments: the idle ones, those serving, and the limits on making more.
pub(crate) struct Pool {
    /// The function's reserved concurrency, if any.
    reserved: Option<u32>,
    eviction: EvictionPolicy,
    scaling: ScalingRate,
    tmp: Arc<TmpDirs>,
    account: Arc<Account>,
    state: Mutex<State>,
}

/// The environments that no invocation holds, and how many are held.
struct State {
    /// Environments not serving an invocation on the host; on a virtual clock some are still
    /// busy in simulated time (`free_at` after now).
    envs: Vec<Environment>,
    /// Environments serving an invocation on the host right now.
    checked_out: u32,
    /// The kill switches of the environments serving an invocation.
    running: Vec<Arc<AtomicBool>>,
    /// Whether the provisioned environments were made (or are being made).
    provisioned: bool,
    /// New environments the function may still add now (its scaling rate's token bucket).
    scale_tokens: f64,
    /// When the bucket was last filled, in simulation time.
    scale_at: Duration,
}

impl State {
    /// Environments busy at simulation time `t`.
    fn busy_at(&self, t: Duration) -> u32 {
        let pending = self.envs.iter().filter(|env| env.free_at > t).count();
        self.checked_out + u32::try_from(pending).unwrap_or(u32::MAX)
    }
}

impl Account {
    pub(crate) fn new(limit: u32, virtual_clock: bool) -> Self {
        Account {
            limit,
            virtual_clock,
            pools: Mutex::new(Vec::new()),
            admission: Mutex::new(()),
            unreserved_busy: AtomicU32::new(0),
            reserved_total: AtomicU32::new(0),
        }
    }

    /// Makes the pool of a new function, after checking that its reserved concurrency fits
    /// in the account's limit with the others'.
    pub(crate) fn register(
        self: &Arc<Self>,
        reserved: Option<u32>,
        eviction: EvictionPolicy,
        scaling: ScalingRate,
        tmp: Arc<TmpDirs>,
        loaded_at: Duration,
    ) -> Result<Arc<Pool>> {
        let mut pools = lock(&self.pools);
        pools.retain(|pool| pool.strong_count() > 0);
        if let Some(reserved) = reserved {
            let others: u32 = pools
                .iter()
                .filter_map(Weak::upgrade)
                .filter_map(|pool| pool.reserved)
                .sum();
            if others + reserved > self.limit {
                return Err(Error::InvalidConfig(format!(
                    "reserved concurrency {reserved} is more than the account's limit of {} \
                     leaves ({others} already reserved)",
                    self.limit
                )));
            }
            self.reserved_total.fetch_add(reserved, Ordering::AcqRel);
        }
        let burst = f64::from(scaling.burst);
        let pool = Arc::new(Pool {
            reserved,
            eviction,
            scaling,
            tmp,
            account: self.clone(),
            state: Mutex::new(State {
                envs: Vec::new(),
                checked_out: 0,
                running: Vec::new(),
                provisioned: false,
                scale_tokens: burst,
                scale_at: loaded_at,
            }),
        });
        pools.push(Arc::downgrade(&pool));
        Ok(pool)
    }

    /// Takes a place in the account's unreserved pool on a real clock; false when it is full.
    fn take_unreserved(&self) -> bool {
        let pool = self
            .limit
            .saturating_sub(self.reserved_total.load(Ordering::Acquire));
        self.unreserved_busy
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |busy| {
                (busy < pool).then_some(busy + 1)
            })
            .is_ok()
    }

    /// Refuses an invocation of a function without reserved concurrency when the account's
    /// unreserved pool is full at `at` (virtual clock).
    fn check_unreserved(&self, at: Duration) -> Result<()> {
        let mut reserved = 0;
        let mut busy = 0;
        let pools: Vec<Arc<Pool>> = lock(&self.pools).iter().filter_map(Weak::upgrade).collect();
        for pool in pools {
            match pool.reserved {
                Some(r) => reserved += r,
                None => busy += pool.state().busy_at(at),
            }
        }
        if busy >= self.limit.saturating_sub(reserved) {
            return Err(throttled_unreserved());
        }
        Ok(())
    }
}

impl Pool {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Admits an invocation at simulation time `at`: reclaims idle environments, checks the
    /// reserved and account concurrency limits, and hands out a free environment (or `None`
    /// for a cold start, after taking a token of the scaling rate). The caller then holds one
    /// unit of the function's concurrency until [`Pool::release`] or [`Pool::abandon`].
    pub(crate) fn admit(&self, at: Duration) -> Result<Option<Environment>> {
        if !self.account.virtual_clock {
            return self.admit_now(at);
        }
        // On a virtual clock the account's busy count is read from every pool at `at`: one
        // admission at a time, so that limits are checked and taken at once.
        let _admission = lock(&self.account.admission);
        let reclaimed = {
            let mut state = self.state();
            let reclaimed = self.reclaim(&mut state, at);
            if let Some(reserved) = self.reserved
                && state.busy_at(at) >= reserved
            {
                drop(state);
                self.destroy_all(reclaimed);
                return Err(throttled_reserved());
            }
            reclaimed
        };
        self.destroy_all(reclaimed);
        if self.reserved.is_none() {
            self.account.check_unreserved(at)?;
        }
        let mut state = self.state();
        let env = self.hand_out(&mut state, at)?;
        if self.reserved.is_none() {
            self.account.unreserved_busy.fetch_add(1, Ordering::AcqRel);
        }
        Ok(env)
    }

    /// [`Pool::admit`] on a real clock: under this pool's lock only (the account's count is
    /// an atomic taken at once), so that invocations of different functions never wait on
    /// one another.
    fn admit_now(&self, at: Duration) -> Result<Option<Environment>> {
        let mut state = self.state();
        let reclaimed = self.reclaim(&mut state, at);
        // Their places in the scaling rate come back now, as if destroyed first (they are
        // destroyed once the lock is let go).
        self.give_back_tokens(&mut state, reclaimed.len());
        let admitted = if let Some(reserved) = self.reserved
            && state.checked_out >= reserved
        {
            Err(throttled_reserved())
        } else if self.reserved.is_none() && !self.account.take_unreserved() {
            Err(throttled_unreserved())
        } else {
            let env = self.hand_out(&mut state, at);
            if env.is_err() && self.reserved.is_none() {
                self.account.unreserved_busy.fetch_sub(1, Ordering::AcqRel);
            }
            env
        };
        drop(state);
        for env in reclaimed {
            env.destroy(&self.tmp);
        }
        admitted
    }

    /// The most recently freed environment free at `at`, or `None` for a cold start once a
    /// token of the scaling rate is taken; counts the admission as checked out.
    fn hand_out(&self, state: &mut State, at: Duration) -> Result<Option<Environment>> {
        let free = state
            .envs
            .iter()
            .enumerate()
            .filter(|(_, env)| env.free_at <= at)
            .max_by_key(|(_, env)| env.free_at)
            .map(|(i, _)| i);
        let env = free.map(|i| state.envs.swap_remove(i));
        match &env {
            Some(env) => state.running.push(env.kill_switch().clone()),
            None => self.take_scaling_token(state, at)?,
        }
        state.checked_out += 1;
        Ok(env)
    }

    /// A new environment: the function's scaling rate (a token bucket in simulated time).
    fn take_scaling_token(&self, state: &mut State, at: Duration) -> Result<()> {
        let elapsed = at.saturating_sub(state.scale_at).as_secs_f64();
        state.scale_tokens = (state.scale_tokens + elapsed * self.scaling.per_second)
            .min(f64::from(self.scaling.burst));
        state.scale_at = state.scale_at.max(at);
        if state.scale_tokens < 1.0 {
            return Err(Error::Throttled {
                reason: if self.reserved.is_some() {
                    "ReservedFunctionInvocationRateLimitExceeded"
                } else {
                    "FunctionInvocationRateLimitExceeded"
                },
            });
        }
        state.scale_tokens -= 1.0;
        Ok(())
    }

    /// Gives back an admission whose invocation never got an environment.
    pub(crate) fn abandon(&self) {
        let mut state = self.state();
        state.checked_out = state.checked_out.saturating_sub(1);
        if self.reserved.is_none() {
            self.account.unreserved_busy.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// Gives back the admission of an invocation dropped before it ended (its caller went
    /// away): the count it held, and the kill switch of an environment it had made, which
    /// died with it (nothing but this pool still holds that switch).
    pub(crate) fn cancelled(&self) {
        let mut state = self.state();
        state.checked_out = state.checked_out.saturating_sub(1);
        if self.reserved.is_none() {
            self.account.unreserved_busy.fetch_sub(1, Ordering::AcqRel);
        }
        state.running.retain(|switch| Arc::strong_count(switch) > 1);
    }

    /// Counts a new environment as serving (its kill switch reaches it from now on).
    pub(crate) fn track(&self, env: &Environment) {
        self.state().running.push(env.kill_switch().clone());
    }

    /// Destroys an environment whose Init failed while its invocation goes on.
    pub(crate) fn discard(&self, env: Environment) {
        {
            let switch = env.kill_switch();
            self.state().running.retain(|s| !Arc::ptr_eq(s, switch));
        }
        self.destroy(env);
    }

    /// Gives an environment back after an invocation: kept warm, or destroyed; then applies
    /// the cap on warm environments (least recently used first).
    pub(crate) fn release(&self, env: Environment, keep: bool) {
        let mut doomed = Vec::new();
        {
            let mut state = self.state();
            state.checked_out = state.checked_out.saturating_sub(1);
            if self.reserved.is_none() {
                self.account.unreserved_busy.fetch_sub(1, Ordering::AcqRel);
            }
            let switch = env.kill_switch();
            state.running.retain(|s| !Arc::ptr_eq(s, switch));
            if keep {
                // A kill that came as the invocation ended does not carry over to the next.
                switch.store(false, Ordering::Release);
                state.envs.push(env);
            } else {
                doomed.push(env);
            }
            if let Some(max) = self.eviction.max_warm {
                doomed.extend(over_cap(&mut state.envs, max));
            }
        }
        self.destroy_all(doomed);
    }

    /// Takes out the environments idle past the idle timeout or older than the maximum
    /// lifetime at `at` (provisioned ones stay).
    fn reclaim(&self, state: &mut State, at: Duration) -> Vec<Environment> {
        let policy = &self.eviction;
        let expired = |env: &Environment| {
            !env.provisioned
                && env.free_at <= at
                && (at - env.free_at >= policy.idle_timeout
                    || policy
                        .max_lifetime
                        .is_some_and(|max| at - env.created_at >= max))
        };
        if !state.envs.iter().any(expired) {
            return Vec::new();
        }
        let (gone, kept): (Vec<Environment>, Vec<Environment>) = std::mem::take(&mut state.envs)
            .into_iter()
            .partition(expired);
        state.envs = kept;
        gone
    }

    /// Destroys an environment: its sandbox now, its `/tmp` in the background. Replacing a
    /// destroyed environment does not count against the scaling rate, which limits growth.
    pub(crate) fn destroy(&self, env: Environment) {
        env.destroy(&self.tmp);
        self.give_back_tokens(&mut self.state(), 1);
    }

    /// Gives `count` destroyed environments' places back to the scaling rate's bucket.
    fn give_back_tokens(&self, state: &mut State, count: usize) {
        let burst = f64::from(self.scaling.burst);
        state.scale_tokens = (state.scale_tokens + count as f64).min(burst);
    }

    fn destroy_all(&self, envs: Vec<Environment>) {
        for env in envs {
            self.destroy(env);
        }
    }

    /// How many environments exist and serve no invocation on the host.
    pub(crate) fn idle(&self) -> usize {
        self.state().envs.len()
    }

    /// How many invocations are running on the host right now.
    pub(crate) fn running(&self) -> usize {
        self.state().running.len()
    }

    /// The files the idle environments left in their `/tmp`, relative to `/tmp`.
    pub(crate) fn tmp_files(&self) -> Vec<String> {
        self.state()
            .envs
            .iter()
            .flat_map(Environment::tmp_files)
            .collect()
    }

    /// Destroys every idle environment; returns how many.
    pub(crate) fn evict_all(&self) -> usize {
        let evicted: Vec<Environment> = std::mem::take(&mut self.state().envs);
        let count = evicted.len();
        self.destroy_all(evicted);
        count
    }

    /// Destroys the `pick`-th idle environment modulo their number; whether there was one.
    pub(crate) fn evict_one(&self, pick: u64) -> bool {
        let env = {
            let mut state = self.state();
            if state.envs.is_empty() {
                return false;
            }
            let index = usize::try_from(pick % state.envs.len() as u64).unwrap_or(0);
            state.envs.swap_remove(index)
        };
        self.destroy(env);
        true
    }

    /// Throws the kill switch of every environment serving an invocation; returns how many.
    pub(crate) fn kill_running(&self) -> usize {
        let state = self.state();
        for switch in &state.running {
            switch.store(true, Ordering::Release);
        }
        state.running.len()
    }

    /// Whether the provisioned environments were made or are being made.
    pub(crate) fn is_provisioned(&self) -> bool {
        self.state().provisioned
    }

    /// Marks the provisioned environments as being made; false if they already were.
    pub(crate) fn start_provisioning(&self) -> bool {
        !std::mem::replace(&mut self.state().provisioned, true)
    }

    /// Adds an initialised provisioned environment to the idle ones.
    pub(crate) fn add_provisioned(&self, mut env: Environment) {
        env.provisioned = true;
        self.state().envs.push(env);
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // A dropped function gives its reserved concurrency back to the unreserved pool.
        if let Some(reserved) = self.reserved {
            self.account
                .reserved_total
                .fetch_sub(reserved, Ordering::AcqRel);
        }
    }
}

/// The idle environments past `max` (least recently freed first; provisioned ones stay).
fn over_cap(envs: &mut Vec<Environment>, max: usize) -> Vec<Environment> {
    let mut doomed = Vec::new();
    loop {
        let idle: Vec<usize> = (0..envs.len()).filter(|&i| !envs[i].provisioned).collect();
        if idle.len() <= max {
            return doomed;
        }
        match idle.into_iter().min_by_key(|&i| envs[i].free_at) {
            Some(i) => doomed.push(envs.swap_remove(i)),
            None => return doomed,
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The throttle of a function without reserved concurrency when the account's unreserved
/// pool is full.
fn throttled_unreserved() -> Error {
    Error::Throttled {
        reason: "ConcurrentInvocationLimitExceeded",
    }
}

/// The throttle of a function at its reserved concurrency.
fn throttled_reserved() -> Error {
    Error::Throttled {
        reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
    }
}
