//! Large tape buffers backed by transparent huge pages, when the user asks for them
//! ([`set_huge_pages`]).
//!
//! A 10⁵-variable tape spans tens of megabytes (nodes, values, adjoints, lane buffers), and
//! every sweep walks all of it: with 4 KiB pages that is thousands of pages per sweep, more
//! than the TLB holds, so a good part of a sweep at that size is page walks. Backed by
//! 2 MiB pages the same buffers need a few dozen TLB entries. Linux gives huge pages to
//! memory that asks for them (`madvise(MADV_HUGEPAGE)`) when transparent huge pages are in
//! their default `madvise` mode (or `always`); the request must come before the pages are
//! first touched, so with huge pages on, buffers of [`MIN_BYTES`] to [`MAX_BYTES`] grow
//! here, into fresh memory advised before use, instead of through `Vec`'s own growth (whose
//! reallocations keep the pages already faulted: advising only the new part won back
//! little). Measured on chained Rosenbrock at n = 10⁵, alternating runs: the closure
//! gradient 3.33 -> 2.98 ms, replay + gradient 1.82 -> 1.65 ms, a replayed sparse Hessian
//! 6.40 -> 5.81 ms.
//!
//! Off by default, because fresh huge pages are expensive to fault in: the kernel zeroes
//! 2 MiB at a time and, on a fragmented machine, compacts memory first (THP `defrag` in its
//! default `madvise` mode). Where buffers are reused across calls that is paid once; where
//! they are not it is paid again and again. Measured here: training the digits MLP, which
//! records a tape per chunk of examples on every rayon thread, ran 30–60% slower per epoch
//! with huge pages (64-256-10: 127–145 -> 183–189 ms with scalar nodes, 26–29 -> 44 ms with
//! the primitives); and the first gradient and HVP of a 2·10⁶-node scalar tape once took 159
//! and 280 ms against 45 and 91 ms with plain pages, every later call 10–15% faster. Where
//! the OS offers no transparent huge pages the advice is a no-op; memory use is the same
//! either way.

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Whether tape buffers of 2–64 MiB are backed by transparent huge pages (Linux; a no-op
/// elsewhere). Off by default.
///
/// Turn it on for work that sweeps the same large tapes many times from one thread —
/// replayed gradients, HVPs and sparse Hessians of a 10⁵-variable objective in an optimizer
/// loop run about 10% faster — and leave it off where tapes are recorded afresh all the time
/// (training loops over many small tapes, one-shot derivatives), which it slows down: every
/// new buffer then pays for faulting in huge pages. It applies to buffers that grow after the
/// call.
///
/// ```
/// curvature_ad::set_huge_pages(true);
/// let (_, g) = curvature_ad::gradient(|x| x[0] * x[1], &[2.0, 3.0]);
/// assert_eq!(g, vec![3.0, 2.0]);
/// curvature_ad::set_huge_pages(false);
/// ```
pub fn set_huge_pages(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Buffers below this size keep `Vec`'s growth: they fit the TLB's reach anyway. From one
/// huge page up, the advice pays: the bench's replayed gradient at n = 10⁵, whose value and
/// adjoint buffers are 3.2 MB each, ran 1.64–1.77 ms with a 2 MiB threshold against
/// 1.81–1.96 ms with 4 MiB (alternating runs).
const MIN_BYTES: usize = 2 << 20;
/// Buffers beyond this size keep `Vec`'s growth too. A sweep over hundreds of megabytes is
/// bound by memory bandwidth, not page walks, and faulting that much fresh huge-page memory
/// (zeroing, and on a fragmented machine compaction) is not free: at n = 10⁶ (a 256 MB
/// recording) advising every buffer left a Newton iteration where it was (250–272 ms
/// against 252–269 ms) and took the start point, which records and sizes every buffer,
/// from 0.62–0.65 s to 0.77–1.13 s. With this cap the start point is back at 0.59–0.63 s.
const MAX_BYTES: usize = 64 << 20;

/// Makes room for `additional` more elements, growing (at least doubling) a buffer of
/// 2–64 MiB into huge-page-advised memory when huge pages are on.
#[inline]
pub(crate) fn reserve<T>(v: &mut Vec<T>, additional: usize) {
    if v.capacity() - v.len() < additional {
        grow(v, additional);
    }
}

/// `v.resize(len, value)`, growing a large buffer as [`reserve`] does.
#[inline]
pub(crate) fn resize<T: Clone>(v: &mut Vec<T>, len: usize, value: T) {
    reserve(v, len.saturating_sub(v.len()));
    v.resize(len, value);
}

/// `v.shrink_to_fit()`, keeping a large buffer in huge-page-advised memory when huge pages
/// are on (a reallocation may move it into memory never advised).
pub(crate) fn shrink_to_fit<T>(v: &mut Vec<T>) {
    let bytes = v.len().saturating_mul(std::mem::size_of::<T>());
    if ENABLED.load(Ordering::Relaxed) && (MIN_BYTES..=MAX_BYTES).contains(&bytes) {
        *v = advised(v, v.len());
    } else {
        v.shrink_to_fit();
    }
}

#[cold]
#[inline(never)]
fn grow<T>(v: &mut Vec<T>, additional: usize) {
    let need = v.len().checked_add(additional).expect("capacity overflow");
    let cap = need.max(2 * v.capacity());
    let bytes = cap.saturating_mul(std::mem::size_of::<T>());
    if !ENABLED.load(Ordering::Relaxed) || !(MIN_BYTES..=MAX_BYTES).contains(&bytes) {
        v.reserve(additional);
        return;
    }
    *v = advised(v, cap);
}

/// A fresh buffer of capacity `cap`, advised before anything is written to it, holding
/// `v`'s contents (moved over with one copy, as a reallocation's would); `v` is left empty.
fn advised<T>(v: &mut Vec<T>, cap: usize) -> Vec<T> {
    let mut fresh: Vec<T> = Vec::with_capacity(cap);
    advise(
        fresh.as_mut_ptr().cast::<u8>(),
        fresh.capacity() * std::mem::size_of::<T>(),
    );
    fresh.append(v);
    fresh
}

/// Asks the kernel to back the whole pages inside `[ptr, ptr + len)` with huge pages.
#[cfg(target_os = "linux")]
fn advise(ptr: *mut u8, len: usize) {
    const PAGE: usize = 4096;
    let start = (ptr as usize).next_multiple_of(PAGE);
    let end = (ptr as usize + len) / PAGE * PAGE;
    if end > start {
        // SAFETY: the range lies inside an allocation this thread owns, and MADV_HUGEPAGE
        // changes only how the range is backed, never its contents or its validity. A
        // failure (EINVAL where THP is compiled out) leaves ordinary pages: nothing to do.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_ptr: *mut u8, _len: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_keeps_contents_and_amortizes() {
        // (Process-wide, but it changes only how buffers are backed, never their contents.)
        set_huge_pages(true);
        let mut v: Vec<u64> = (0..1000).collect();
        let big = MIN_BYTES / 8 + 1;
        resize(&mut v, big, 7);
        assert_eq!(v.len(), big);
        assert!((0..1000).all(|i| v[i] == i as u64));
        assert!(v[1000..].iter().all(|&x| x == 7));
        let cap = v.capacity();
        // Pushing one by one past the capacity at least doubles it.
        for i in 0..=(cap - v.len()) {
            reserve(&mut v, 1);
            v.push(i as u64);
        }
        assert!(v.capacity() >= 2 * cap);
        resize(&mut v, 10, 0);
        assert_eq!(v.len(), 10);
        // Shrinking a large buffer keeps its contents, in a buffer of its length.
        resize(&mut v, big, 3);
        v.truncate(big - 5);
        shrink_to_fit(&mut v);
        assert_eq!((v.len(), v.capacity()), (big - 5, big - 5));
        assert!((0..10).all(|i| v[i] == i as u64) && v[10..].iter().all(|&x| x == 3));
        set_huge_pages(false);
    }
}
