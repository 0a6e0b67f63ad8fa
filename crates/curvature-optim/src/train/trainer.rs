//! A training loop: epochs of shuffled mini-batches, gradients by curvature-ad, clipping,
//! the optimizer step, a learning-rate schedule and a weight EMA, with a progress bar.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use curvature_ad::{gradient, Var};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use super::non_finite::locate_example;
use super::{
    clip_grad_norm, clip_grad_value, Ema, NonFinitePolicy, Optimizer, ReduceOnPlateau, Scheduler,
    TrainError,
};
use crate::non_finite::locate_in_derivatives;

/// The default number of examples recorded on one tape, see [`Trainer::chunk_size`].
pub const DEFAULT_CHUNK_SIZE: usize = 32;

/// The mean loss over `indices` and its gradient with respect to `params`:
///
/// ```text
/// L(w) = (1/|B|) · Σ_{i ∈ B} ℓ(w, i),    B = indices
/// ```
///
/// `indices` is cut into chunks of `chunk_size` examples; each chunk is recorded on its own
/// tape (one [`gradient`](curvature_ad::gradient) call summing ℓ over the chunk) and the
/// chunks run in parallel on rayon's thread pool. The chunk results are added in chunk
/// order, so the result depends on `chunk_size` (through floating-point rounding) but never
/// on the number of threads or their scheduling: the same call gives the same bits on any
/// machine. With `indices.len() <= chunk_size` there is a single tape and no thread hand-off.
///
/// This is the full-batch objective a deterministic solver (L-BFGS, Newton) needs, and the
/// mini-batch gradient [`Trainer`] uses.
///
/// # Panics
///
/// If `indices` is empty (the mean over no examples is undefined) or `chunk_size` is 0.
///
/// # Example
///
/// ```
/// use curvature_ad::num_traits::Float;
/// use curvature_ad::Var;
/// use curvature_optim::train::mean_loss_and_gradient;
///
/// // Least squares through the origin: ℓ(w, i) = (w·xᵢ − yᵢ)², data y = 2x.
/// let xs = [1.0, 2.0, 3.0];
/// let loss = |w: &[Var], i: usize| (w[0] * xs[i] - 2.0 * xs[i]).powi(2);
/// let (l, g) = mean_loss_and_gradient(&[1.0], &[0, 1, 2], 2, &loss);
/// // L = (1 + 4 + 9)/3, dL/dw = 2(w − 2)·Σx²/3 = −28/3.
/// assert!((l - 14.0 / 3.0).abs() < 1e-14 && (g[0] + 28.0 / 3.0).abs() < 1e-14);
/// ```
pub fn mean_loss_and_gradient<L>(
    params: &[f64],
    indices: &[usize],
    chunk_size: usize,
    loss: &L,
) -> (f64, Vec<f64>)
where
    L: Fn(&[Var], usize) -> Var + Sync,
{
    assert!(
        !indices.is_empty(),
        "mean_loss_and_gradient: indices is empty (the mean over no examples is undefined)"
    );
    assert!(
        chunk_size > 0,
        "mean_loss_and_gradient: chunk_size must be positive"
    );
    let chunk_sum = |chunk: &[usize]| {
        gradient(
            |w: &[Var]| {
                let mut total = loss(w, chunk[0]);
                for &i in &chunk[1..] {
                    total += loss(w, i);
                }
                total
            },
            params,
        )
    };
    let (mut sum, mut grad) = if indices.len() <= chunk_size {
        chunk_sum(indices)
    } else {
        let parts: Vec<(f64, Vec<f64>)> = indices.par_chunks(chunk_size).map(chunk_sum).collect();
        let mut parts = parts.into_iter();
        let (mut sum, mut grad) = parts.next().expect("at least one chunk");
        for (s, g) in parts {
            sum += s;
            for (a, b) in grad.iter_mut().zip(&g) {
                *a += b;
            }
        }
        (sum, grad)
    };
    let scale = 1.0 / indices.len() as f64;
    sum *= scale;
    for g in &mut grad {
        *g *= scale;
    }
    (sum, grad)
}

/// When a learning-rate scheduler advances.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepEvery {
    /// Once at the end of every epoch (`t_max` etc. count epochs).
    Epoch,
    /// Once after every optimizer step, i.e. every mini-batch (`t_max` etc. count
    /// iterations).
    Iteration,
}

/// Gradient clipping applied to every mini-batch gradient before the optimizer step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Clip {
    /// Rescale to a Euclidean norm of at most this value ([`clip_grad_norm`]).
    Norm(f64),
    /// Clamp every entry to `[−limit, limit]` ([`clip_grad_value`]).
    Value(f64),
}

/// A boxed per-epoch metric of the weights.
type MetricFn<'a> = Box<dyn FnMut(&[f64]) -> f64 + Send + 'a>;

/// A boxed penalty r(w).
type PenaltyFn<'a> = Box<dyn Fn(&[Var]) -> Var + Send + 'a>;

/// The learning-rate schedule of a [`Trainer`].
enum Schedule<'a> {
    None,
    Every(Box<dyn Scheduler + Send + 'a>, StepEvery),
    Plateau(ReduceOnPlateau),
}

/// A per-epoch evaluation: a name for the progress display and the function of the weights.
struct Metric<'a> {
    name: String,
    eval: MetricFn<'a>,
}

/// What one epoch did, as returned in [`TrainReport::epochs`].
#[derive(Clone, Debug, PartialEq)]
pub struct EpochStats {
    /// Epoch number, counted from 0 over all `fit` calls of the trainer.
    pub epoch: usize,
    /// Training loss of the epoch: the mini-batch losses (mean loss over the batch plus the
    /// penalty) averaged with the batch sizes as weights, each at the weights its batch saw.
    /// Steps skipped for a non-finite loss or gradient are left out (NaN if all were).
    pub loss: f64,
    /// Mean over the epoch's steps of the Euclidean norm of the mini-batch gradient,
    /// before clipping.
    pub gradient_norm: f64,
    /// Steps whose gradient clipping changed.
    pub clipped_steps: usize,
    /// Steps skipped because the loss or gradient was NaN or infinite, under
    /// [`NonFinitePolicy::Skip`] (no optimizer step, no EMA update; a per-iteration
    /// schedule still advances). Always 0 under the default policy, which stops instead.
    pub skipped_steps: usize,
    /// The learning rate of the epoch's last optimizer step.
    pub learning_rate: f64,
    /// The value of the [`Trainer::metric`] callback at the end of the epoch, if any.
    pub metric: Option<f64>,
    /// Wall-clock time from the start of `fit` to the end of this epoch (evaluation
    /// included).
    pub elapsed: Duration,
}

/// The result of [`Trainer::fit`]: one [`EpochStats`] per epoch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrainReport {
    /// Per-epoch statistics, in order.
    pub epochs: Vec<EpochStats>,
    /// Mini-batch iterations (gradient evaluations) of this `fit` call, skipped ones
    /// included.
    pub iterations: usize,
    /// Wall-clock time of this `fit` call.
    pub elapsed: Duration,
}

impl TrainReport {
    /// The training loss of each epoch.
    pub fn losses(&self) -> Vec<f64> {
        self.epochs.iter().map(|e| e.loss).collect()
    }

    /// The metric of each epoch (empty without a metric callback).
    pub fn metrics(&self) -> Vec<f64> {
        self.epochs.iter().filter_map(|e| e.metric).collect()
    }

    /// The last epoch's training loss (NaN if no epoch ran).
    pub fn final_loss(&self) -> f64 {
        self.epochs.last().map_or(f64::NAN, |e| e.loss)
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a fully specified generator, so a seed gives
/// the same shuffles on every platform and with every dependency version.
#[derive(Clone, Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` without modulo bias.
    fn below(&mut self, n: u64) -> u64 {
        let threshold = n.wrapping_neg() % n;
        loop {
            let x = self.next_u64();
            if x >= threshold {
                return x % n;
            }
        }
    }

    /// Fisher–Yates.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// A training loop over a data set of `n` examples, in the style of a PyTorch epoch loop.
///
/// The user supplies the per-example loss `ℓ(w, i)` as a closure `Fn(&[Var], usize) -> Var`
/// (parameters w, example index i) and, optionally, a penalty `r(w)` added once per batch.
/// Each epoch shuffles `0..n` (seeded: the same seed gives the same batches, and the same
/// weights bit for bit), cuts it into mini-batches B of `batch_size` (the last one smaller
/// when `batch_size` does not divide n) and for every batch:
///
/// ```text
/// L_B(w) = (1/|B|) Σ_{i∈B} ℓ(w, i) + r(w)        value and gradient g by curvature-ad
/// stop with an error naming batch and example if L_B or g is NaN or ±∞
///     (or skip the step: see on_non_finite)
/// g <- clip(g)                                     (optional: by norm or by value)
/// w <- optimizer.step(w, g)
/// ema.update(w)                                    (optional)
/// lr <- scheduler.step()                           (if stepped per iteration)
/// ```
///
/// and at the end of the epoch evaluates the optional metric on the weights to evaluate (the
/// EMA's average when an EMA is set, else w), then steps a per-epoch scheduler, or a
/// [`ReduceOnPlateau`] with the metric (or, without a metric, the epoch's training loss).
///
/// Gradients are computed by [`mean_loss_and_gradient`]: one tape per chunk of
/// [`chunk_size`](Trainer::chunk_size) examples, chunks in parallel with rayon.
///
/// On a terminal, a progress bar on stderr shows the iterations, the running loss and one
/// line per epoch; when stderr is not a terminal (CI, a pipe, a file) nothing is printed.
/// [`progress(false)`](Trainer::progress) turns it off everywhere. `fit` may be called
/// again to continue training: optimizer, schedule, EMA, shuffling and epoch count carry on.
///
/// # Example
///
/// ```
/// use curvature_ad::num_traits::Float;
/// use curvature_ad::Var;
/// use curvature_optim::train::{Adam, Clip, CosineAnnealing, Ema, StepEvery, Trainer};
///
/// // Linear regression y = 3x − 1 on 64 points.
/// let xs: Vec<f64> = (0..64).map(|i| i as f64 / 32.0 - 1.0).collect();
/// let loss = |w: &[Var], i: usize| (w[0] * xs[i] + w[1] - (3.0 * xs[i] - 1.0)).powi(2);
///
/// let mut trainer = Trainer::new(Adam::new(0.1))
///     .epochs(60)
///     .batch_size(8)
///     .seed(7)
///     .scheduler(CosineAnnealing::new(0.1, 60), StepEvery::Epoch)
///     .clip(Clip::Norm(10.0))
///     .ema(Ema::new(0.9))
///     .progress(false);
/// let mut w = vec![0.0, 0.0];
/// let report = trainer.fit(&mut w, xs.len(), loss).unwrap();
/// assert_eq!(report.epochs.len(), 60);
/// assert!(report.final_loss() < 1e-4);
/// assert!((w[0] - 3.0).abs() < 1e-2 && (w[1] + 1.0).abs() < 1e-2);
/// let averaged = trainer.eval_weights(&w);
/// assert!((averaged[0] - 3.0).abs() < 1e-2);
/// ```
pub struct Trainer<'a, O> {
    optimizer: O,
    epochs: usize,
    batch_size: usize,
    chunk_size: usize,
    rng: SplitMix64,
    schedule: Schedule<'a>,
    clip: Option<Clip>,
    ema: Option<Ema>,
    penalty: Option<PenaltyFn<'a>>,
    metric: Option<Metric<'a>>,
    progress: bool,
    non_finite: NonFinitePolicy,
    label: String,
    epochs_done: usize,
    order: Vec<usize>,
}

impl<'a, O: Optimizer> Trainer<'a, O> {
    /// A trainer around `optimizer`: 10 epochs, batches of 32, seed 0, no schedule, no
    /// clipping, no EMA, no penalty, progress bar on (when stderr is a terminal).
    pub fn new(optimizer: O) -> Self {
        Trainer {
            optimizer,
            epochs: 10,
            batch_size: 32,
            chunk_size: DEFAULT_CHUNK_SIZE,
            rng: SplitMix64(0),
            schedule: Schedule::None,
            clip: None,
            ema: None,
            penalty: None,
            metric: None,
            progress: true,
            non_finite: NonFinitePolicy::Error,
            label: String::new(),
            epochs_done: 0,
            order: Vec::new(),
        }
    }

    /// The number of epochs each [`fit`](Trainer::fit) call runs (default 10).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// The mini-batch size (default 32); a size ≥ n gives full-batch gradient steps.
    ///
    /// # Panics
    ///
    /// If `batch_size` is 0.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        assert!(batch_size > 0, "Trainer::batch_size: must be positive");
        self.batch_size = batch_size;
        self
    }

    /// The number of examples recorded on one tape (default [`DEFAULT_CHUNK_SIZE`] = 32).
    /// A batch larger than this is split into chunks whose gradients are computed in
    /// parallel and summed in order. Smaller chunks mean more parallelism and smaller tapes;
    /// results depend on the chunk size only through rounding, never on the thread count.
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    pub fn chunk_size(mut self, chunk_size: usize) -> Self {
        assert!(chunk_size > 0, "Trainer::chunk_size: must be positive");
        self.chunk_size = chunk_size;
        self
    }

    /// The seed of the shuffling (default 0). Resets the shuffling stream.
    pub fn seed(mut self, seed: u64) -> Self {
        self.rng = SplitMix64(seed);
        self
    }

    /// A learning-rate scheduler, stepped per epoch or per iteration. The optimizer's
    /// learning rate is set to the scheduler's at the start of `fit`, then to the value
    /// `scheduler.step()` returns after every epoch or every optimizer step. Replaces any
    /// earlier schedule.
    pub fn scheduler(mut self, scheduler: impl Scheduler + Send + 'a, every: StepEvery) -> Self {
        self.schedule = Schedule::Every(Box::new(scheduler), every);
        self
    }

    /// A [`ReduceOnPlateau`] schedule, stepped once per epoch with the metric (see
    /// [`Trainer::metric`]) or, without one, the epoch's training loss. Its mode must match:
    /// `PlateauMode::Max` for an accuracy. Replaces any earlier schedule.
    pub fn reduce_on_plateau(mut self, plateau: ReduceOnPlateau) -> Self {
        self.schedule = Schedule::Plateau(plateau);
        self
    }

    /// Clips every mini-batch gradient before the optimizer step.
    pub fn clip(mut self, clip: Clip) -> Self {
        self.clip = Some(clip);
        self
    }

    /// Keeps an exponential moving average of the weights, updated after every optimizer
    /// step; the metric is then evaluated on the averaged weights.
    pub fn ema(mut self, ema: Ema) -> Self {
        self.ema = Some(ema);
        self
    }

    /// A penalty r(w) (e.g. an L2 term `λ/2 · Σ wⱼ²`) added once to every mini-batch loss.
    pub fn penalty(mut self, penalty: impl Fn(&[Var]) -> Var + Send + 'a) -> Self {
        self.penalty = Some(Box::new(penalty));
        self
    }

    /// A metric evaluated at the end of every epoch on the weights to evaluate (the EMA
    /// average if an EMA is set, else the current weights), e.g. a test accuracy. `name`
    /// labels it in the progress display; the values land in [`EpochStats::metric`].
    pub fn metric(
        mut self,
        name: impl Into<String>,
        eval: impl FnMut(&[f64]) -> f64 + Send + 'a,
    ) -> Self {
        self.metric = Some(Metric {
            name: name.into(),
            eval: Box::new(eval),
        });
        self
    }

    /// What to do with a mini-batch whose loss or gradient is NaN or ±∞ (default
    /// [`NonFinitePolicy::Error`]: stop with a [`TrainError`] naming batch and example).
    pub fn on_non_finite(mut self, policy: NonFinitePolicy) -> Self {
        self.non_finite = policy;
        self
    }

    /// Shows a progress bar on stderr (default `true`). Even when on, nothing is drawn
    /// unless stderr is a terminal.
    pub fn progress(mut self, on: bool) -> Self {
        self.progress = on;
        self
    }

    /// A label shown in front of the progress bar (e.g. the optimizer's name).
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// The optimizer (with its state after training).
    pub fn optimizer(&self) -> &O {
        &self.optimizer
    }

    /// The EMA, if one is set.
    pub fn ema_state(&self) -> Option<&Ema> {
        self.ema.as_ref()
    }

    /// The weights to evaluate: the EMA's average if an EMA is set and has been updated,
    /// else `params`.
    pub fn eval_weights<'w>(&'w self, params: &'w [f64]) -> &'w [f64] {
        match &self.ema {
            Some(ema) if ema.num_updates() > 0 => ema.weights(),
            _ => params,
        }
    }

    /// Runs [`epochs`](Trainer::epochs) epochs over the examples `0..n` with the
    /// per-example loss `loss(w, i)`, updating `params` in place. See [`Trainer`] for the
    /// loop.
    ///
    /// # Errors
    ///
    /// [`TrainError::NonFinite`] for a batch with a NaN or ±∞ loss or gradient, unless
    /// [`on_non_finite`](Trainer::on_non_finite) asks to skip such batches; `params` then
    /// hold the weights before that batch.
    ///
    /// # Panics
    ///
    /// If `n` is 0 while epochs are requested, or if the loss, the optimizer, the
    /// scheduler or the metric panics.
    ///
    /// # Threads
    ///
    /// Called from outside rayon's thread pool, the loop runs on one of the pool's threads
    /// (the caller waits), so the optimizer must be `Send`; the metric and the penalty run
    /// there too. Inside the pool a mini-batch offers its chunks to the other threads, and
    /// the loop's own thread runs any chunk none of them has taken yet. From outside, every
    /// batch would hand all its chunks over and put the caller to sleep until they were
    /// done, a round trip of wake-ups per step: 40 Adam epochs of the digits MLP of
    /// `examples/train_mlp.rs` (45 batches of two chunks an epoch) took 0.37–0.46 s that
    /// way against 0.33–0.38 s now, and 0.60–0.78 s against 0.33–0.44 s on a one-thread
    /// pool (alternating runs on 2 cores).
    pub fn fit<L>(
        &mut self,
        params: &mut [f64],
        n: usize,
        loss: L,
    ) -> Result<TrainReport, TrainError>
    where
        L: Fn(&[Var], usize) -> Var + Sync,
        O: Send,
    {
        if rayon::current_thread_index().is_some() {
            self.fit_here(params, n, &loss)
        } else {
            rayon::scope(|_| self.fit_here(params, n, &loss))
        }
    }

    /// The loop of [`fit`](Trainer::fit), on the calling thread.
    fn fit_here<L>(
        &mut self,
        params: &mut [f64],
        n: usize,
        loss: &L,
    ) -> Result<TrainReport, TrainError>
    where
        L: Fn(&[Var], usize) -> Var + Sync,
    {
        let start = Instant::now();
        let mut report = TrainReport::default();
        if self.epochs == 0 {
            return Ok(report);
        }
        assert!(n > 0, "Trainer::fit: the data set is empty (n = 0)");
        if self.order.len() != n {
            self.order = (0..n).collect();
        }
        match &self.schedule {
            Schedule::None => {}
            Schedule::Every(s, _) => self.optimizer.set_learning_rate(s.lr()),
            Schedule::Plateau(p) => self.optimizer.set_learning_rate(p.lr()),
        }
        let batches = n.div_ceil(self.batch_size);
        let bar = self.progress_bar((self.epochs * batches) as u64);

        for _ in 0..self.epochs {
            let epoch = self.epochs_done;
            self.rng.shuffle(&mut self.order);
            let mut weighted_loss = 0.0;
            let mut counted = 0usize;
            let mut norm_sum = 0.0;
            let mut stepped = 0usize;
            let mut clipped_steps = 0;
            let mut skipped_steps = 0;
            let mut learning_rate = self.optimizer.learning_rate();
            for b in 0..batches {
                let batch = &self.order[b * self.batch_size..((b + 1) * self.batch_size).min(n)];
                let (mut value, mut grad) =
                    mean_loss_and_gradient(params, batch, self.chunk_size, loss);
                if let Some(penalty) = &self.penalty {
                    let (r, dr) = gradient(|w: &[Var]| penalty(w), params);
                    value += r;
                    for (g, d) in grad.iter_mut().zip(&dr) {
                        *g += d;
                    }
                }
                report.iterations += 1;
                let fault = locate_in_derivatives(value, &grad, None);
                if let (Some((entry, v)), NonFinitePolicy::Error) = (fault, self.non_finite) {
                    bar.finish_and_clear();
                    let (example, entry, value) = match locate_example(params, batch, loss) {
                        Some((i, entry, value)) => (Some(i), entry, value),
                        None => (None, entry, v),
                    };
                    return Err(TrainError::NonFinite {
                        epoch,
                        batch: b,
                        example,
                        entry,
                        value,
                    });
                }
                if fault.is_none() {
                    let norm = match self.clip {
                        Some(Clip::Norm(max_norm)) => {
                            let norm = clip_grad_norm(&mut grad, max_norm);
                            if max_norm / (norm + 1e-6) < 1.0 {
                                clipped_steps += 1;
                            }
                            norm
                        }
                        Some(Clip::Value(limit)) => {
                            let norm = l2_norm(&grad);
                            if grad.iter().any(|g| g.abs() > limit) {
                                clipped_steps += 1;
                            }
                            clip_grad_value(&mut grad, limit);
                            norm
                        }
                        None => l2_norm(&grad),
                    };
                    learning_rate = self.optimizer.learning_rate();
                    self.optimizer.step(params, &grad);
                    if let Some(ema) = &mut self.ema {
                        ema.update(params);
                    }
                    weighted_loss += value * batch.len() as f64;
                    counted += batch.len();
                    norm_sum += norm;
                    stepped += 1;
                } else {
                    skipped_steps += 1;
                }
                if let Schedule::Every(s, StepEvery::Iteration) = &mut self.schedule {
                    let lr = s.step();
                    self.optimizer.set_learning_rate(lr);
                }
                bar.inc(1);
                if counted > 0 {
                    bar.set_message(format!("loss {:.4e}", weighted_loss / counted as f64));
                }
            }
            let loss_epoch = if counted > 0 {
                weighted_loss / counted as f64
            } else {
                f64::NAN
            };
            let metric = match &mut self.metric {
                Some(m) => {
                    let w = match &self.ema {
                        Some(ema) if ema.num_updates() > 0 => ema.weights(),
                        _ => &*params,
                    };
                    Some((m.eval)(w))
                }
                None => None,
            };
            match &mut self.schedule {
                Schedule::Every(s, StepEvery::Epoch) => {
                    let lr = s.step();
                    self.optimizer.set_learning_rate(lr);
                }
                Schedule::Plateau(p) => {
                    let lr = p.step_with(metric.unwrap_or(loss_epoch));
                    self.optimizer.set_learning_rate(lr);
                }
                _ => {}
            }
            let stats = EpochStats {
                epoch,
                loss: loss_epoch,
                gradient_norm: if stepped > 0 {
                    norm_sum / stepped as f64
                } else {
                    f64::NAN
                },
                clipped_steps,
                skipped_steps,
                learning_rate,
                metric,
                elapsed: start.elapsed(),
            };
            bar.println(self.epoch_line(&stats));
            report.epochs.push(stats);
            self.epochs_done += 1;
        }
        bar.finish_and_clear();
        report.elapsed = start.elapsed();
        Ok(report)
    }

    /// A bar on stderr if enabled and stderr is a terminal, else a hidden one (every call
    /// on it, `println` included, is then a no-op).
    fn progress_bar(&self, total: u64) -> ProgressBar {
        if !(self.progress && std::io::stderr().is_terminal()) {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{prefix}[{bar:30}] {pos}/{len} it, {msg} [{elapsed_precise}<{eta_precise}]",
        )
        .expect("valid progress template")
        .progress_chars("=> ");
        bar.set_style(style);
        if !self.label.is_empty() {
            bar.set_prefix(format!("{} ", self.label));
        }
        bar
    }

    fn epoch_line(&self, stats: &EpochStats) -> String {
        let mut line = format!(
            "{}epoch {:>3}: loss {:.5e}, lr {:.3e}",
            if self.label.is_empty() {
                String::new()
            } else {
                format!("{}: ", self.label)
            },
            stats.epoch + 1,
            stats.loss,
            stats.learning_rate
        );
        if let (Some(m), Some(v)) = (&self.metric, stats.metric) {
            line.push_str(&format!(", {} {v:.4}", m.name));
        }
        line
    }
}

/// `‖g‖₂` (no overflow care needed: only reported, and only for finite gradients).
fn l2_norm(g: &[f64]) -> f64 {
    g.iter().map(|v| v * v).sum::<f64>().sqrt()
}
