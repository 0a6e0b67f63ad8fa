//! Declared Hessian sparsity patterns and their column colourings, for objectives whose
//! structure is known without recording a tape.

use crate::sparse::{Csc, SparseMatrix};
use crate::sparsity::{color, Coloring, Pattern};
use std::sync::{Arc, OnceLock};

/// Which entries of a symmetric n × n Hessian can be nonzero.
///
/// Built from any list of entries (i, j); the pattern is symmetrized, so listing one
/// triangle is enough. The diagonal is always part of it, because Newton-type solvers shift
/// it (`H + τI`).
///
/// ```
/// use curvature_ad::SparsityPattern;
/// // Tridiagonal: (i, i+1) for each i; the mirror image and the diagonal are added.
/// let n = 5;
/// let p = SparsityPattern::from_entries(n, (0..n - 1).map(|i| (i, i + 1)));
/// assert_eq!(p.nnz(), 3 * n - 2);
/// assert!(p.contains(3, 2) && p.contains(4, 4) && !p.contains(0, 2));
/// assert_eq!(p.coloring().num_colors(), 3);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparsityPattern {
    pattern: Pattern,
}

impl SparsityPattern {
    /// The pattern holding `entries`, their mirror images and the diagonal.
    ///
    /// # Panics
    /// If an index is ≥ n, or n does not fit in `u32`.
    pub fn from_entries(n: usize, entries: impl IntoIterator<Item = (usize, usize)>) -> Self {
        assert!(
            u32::try_from(n).is_ok(),
            "SparsityPattern: n = {n} exceeds u32"
        );
        let diagonal = (0..n as u32).map(|i| [i, i]);
        let listed = entries.into_iter().map(|(i, j)| {
            assert!(
                i < n && j < n,
                "SparsityPattern: entry ({i}, {j}) out of bounds for n = {n}"
            );
            [i as u32, j as u32]
        });
        let entries: Vec<[u32; 2]> = diagonal.chain(listed).collect();
        SparsityPattern {
            pattern: Pattern::from_entries(n, &entries),
        }
    }

    /// A banded pattern: entries (i, j) with `|i − j| ≤ half_bandwidth`.
    ///
    /// ```
    /// use curvature_ad::SparsityPattern;
    /// assert_eq!(SparsityPattern::banded(10, 1).nnz(), 28);
    /// ```
    pub fn banded(n: usize, half_bandwidth: usize) -> Self {
        let b = half_bandwidth;
        Self::from_entries(
            n,
            (0..n).flat_map(move |i| (i + 1..(i + b + 1).min(n)).map(move |j| (i, j))),
        )
    }

    /// The dimension n.
    pub fn dim(&self) -> usize {
        self.pattern.dim()
    }

    /// Number of entries (both triangles and the diagonal).
    pub fn nnz(&self) -> usize {
        self.pattern.nnz()
    }

    /// Whether entry (i, j) belongs to the pattern.
    pub fn contains(&self, i: usize, j: usize) -> bool {
        i < self.dim()
            && u32::try_from(j).is_ok_and(|j| self.pattern.row(i).binary_search(&j).is_ok())
    }

    /// The columns of row i (equivalently, by symmetry, the rows of column i), sorted.
    ///
    /// # Panics
    /// If i ≥ n.
    pub fn row(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.pattern.row(i).iter().map(|&j| j as usize)
    }

    /// A colouring of the columns such that one Hessian-vector product per colour recovers
    /// every entry (see [`HessianColoring`]); the same greedy distance-2 colouring with
    /// dense rows split off that [`Tape::hessian_colors`](crate::Tape::hessian_colors)
    /// reports.
    pub fn coloring(&self) -> HessianColoring {
        HessianColoring {
            coloring: color(self.pattern.clone()),
        }
    }
}

/// A column colouring of a [`SparsityPattern`]: with `s_c` the sum of the unit vectors of the
/// columns of colour c, the products `H·s_c` determine H — each entry H_ij is row i of the
/// product of column j's colour (or, for a dense row i, row j of row i's colour, by
/// symmetry). A banded Hessian of half-bandwidth b needs at most 2b + 1 colours at any n, an
/// arrowhead two.
///
/// ```
/// use curvature_ad::SparsityPattern;
/// // H = tridiag(−1, 4, −1), n = 6, recovered from its products with the colour seeds.
/// let n = 6;
/// let h = |i: usize, j: usize| if i == j { 4.0 } else if i.abs_diff(j) == 1 { -1.0 } else { 0.0 };
/// let coloring = SparsityPattern::banded(n, 1).coloring();
/// let products: Vec<Vec<f64>> = (0..coloring.num_colors())
///     .map(|c| {
///         let s = coloring.seed(c);
///         (0..n).map(|i| (0..n).map(|j| h(i, j) * s[j]).sum()).collect()
///     })
///     .collect();
/// let m = coloring.recover(&products);
/// assert_eq!((m.get(2, 2), m.get(2, 3), m.get(0, 5)), (4.0, -1.0, 0.0));
/// ```
#[derive(Clone, Debug)]
pub struct HessianColoring {
    coloring: Coloring,
}

impl HessianColoring {
    /// Number of colours: Hessian-vector products needed to recover H.
    pub fn num_colors(&self) -> usize {
        self.coloring.num_colors
    }

    /// The colour of column j.
    pub fn color(&self, j: usize) -> usize {
        self.coloring.colors[j] as usize
    }

    /// The seed vector `s_c`: 1 at the columns of colour c, 0 elsewhere.
    pub fn seed(&self, c: usize) -> Vec<f64> {
        self.coloring
            .colors
            .iter()
            .map(|&k| if k as usize == c { 1.0 } else { 0.0 })
            .collect()
    }

    /// The symmetric matrix on the pattern from `products[c] = H·s_c`, each entry the mean of
    /// its two recoveries `(H_ij + H_ji)/2` (exact products give exactly symmetric H).
    ///
    /// # Panics
    /// If there are not `num_colors()` products of length n.
    pub fn recover(&self, products: &[Vec<f64>]) -> SparseMatrix {
        let n = self.coloring.colors.len();
        assert!(
            products.len() == self.num_colors() && products.iter().all(|p| p.len() == n),
            "HessianColoring::recover needs {} products of length {n}",
            self.num_colors()
        );
        assemble(
            Some(&self.coloring),
            n,
            |c, row| products[c][row],
            Vec::new(),
        )
    }
}

/// The CSC structure of a coloured Hessian (both triangles) and, for each stored entry
/// H_ij, where the two class products that hold H_ij and H_ji keep them. Built once per
/// pattern, so that every further Hessian only reads and averages values (locating every
/// entry cost more than the lane sweeps' own bookkeeping).
///
/// The sources are built on first use and only in the form that use reads: as offsets into
/// the one row-major block of a lane batch (every sparse Hessian of up to 8 colours), or as
/// (class, row) pairs for products held apart. The single-batch path thus never holds the
/// pairs (16 bytes an entry: 48 MB for a tridiagonal pattern at n = 10⁶).
#[derive(Clone, Debug)]
pub(crate) struct Assembly {
    pattern: Arc<Csc>,
    /// (class, row) of H_ij and of H_ji, entry by entry in CSC order.
    src: OnceLock<Vec<[(u32, u32); 2]>>,
    /// The same sources as offsets into one row-major n × lanes block of products, for that
    /// block's lane count: half the bytes of `src` to read, and no (class, row) arithmetic
    /// per entry.
    flat: OnceLock<(usize, Vec<[u32; 2]>)>,
}

impl Assembly {
    fn new(c: &Coloring, n: usize) -> Assembly {
        let mut col_ptr = Vec::with_capacity(n + 1);
        let mut row_idx = Vec::with_capacity(c.pattern.nnz());
        col_ptr.push(0);
        for j in 0..n {
            // The pattern is symmetric, so column j's rows are row j's columns.
            row_idx.extend(c.pattern.row(j).iter().map(|&i| i as usize));
            col_ptr.push(row_idx.len());
        }
        Assembly {
            pattern: Arc::new(Csc { col_ptr, row_idx }),
            src: OnceLock::new(),
            flat: OnceLock::new(),
        }
    }

    /// `form` of the (class, row) of H_ij and of H_ji, for every stored entry in CSC order.
    fn sources<T>(&self, c: &Coloring, form: impl Fn([(u32, u32); 2]) -> T) -> Vec<T> {
        let at = |i: usize, j: usize| {
            let (class, row) = c.locate(i, j);
            (class as u32, row as u32)
        };
        let (csc, form) = (&self.pattern, &form);
        // Sized up front: the flattened iterator cannot tell `collect` its length.
        let mut out = Vec::with_capacity(csc.row_idx.len());
        out.extend((0..csc.col_ptr.len() - 1).flat_map(|j| {
            let rows = &csc.row_idx[csc.col_ptr[j]..csc.col_ptr[j + 1]];
            rows.iter().map(move |&i| form([at(i, j), at(j, i)]))
        }));
        out
    }

    /// `fill` from one row-major n × `lanes` block, class c of row i at `block[i·lanes + c]`.
    fn fill_block(
        &self,
        c: &Coloring,
        n: usize,
        (lanes, block): (usize, &[f64]),
        values: Vec<f64>,
    ) -> SparseMatrix {
        let fits = n
            .checked_mul(lanes)
            .is_some_and(|len| len <= u32::MAX as usize);
        let cached = fits.then(|| {
            self.flat.get_or_init(|| {
                let at = |(c, row): (u32, u32)| row * lanes as u32 + c;
                (lanes, self.sources(c, |[ij, ji]| [at(ij), at(ji)]))
            })
        });
        let Some((_, flat)) = cached.filter(|(stride, _)| *stride == lanes) else {
            return self.fill(c, n, |c, row| block[row * lanes + c], values);
        };
        let entries = flat
            .iter()
            .map(|&[ij, ji]| 0.5 * (block[ij as usize] + block[ji as usize]));
        SparseMatrix::from_pattern(n, self.pattern.clone(), refill(values, entries))
    }

    /// The symmetric matrix with entries (H_ij + H_ji) / 2, H_ij read as `product(class,
    /// row)`.
    fn fill(
        &self,
        c: &Coloring,
        n: usize,
        product: impl Fn(usize, usize) -> f64,
        values: Vec<f64>,
    ) -> SparseMatrix {
        let src = self.src.get_or_init(|| self.sources(c, |entry| entry));
        let get = |(class, row): (u32, u32)| product(class as usize, row as usize);
        let entries = src.iter().map(|&[ij, ji]| 0.5 * (get(ij) + get(ji)));
        SparseMatrix::from_pattern(n, self.pattern.clone(), refill(values, entries))
    }
}

/// The CSC structure of the Hessians of a coloured pattern, built once (see [`Assembly`]).
pub(crate) fn hessian_csc(c: &Coloring, n: usize) -> Arc<Csc> {
    c.assembly
        .get_or_init(|| Assembly::new(c, n))
        .pattern
        .clone()
}

/// `entries` in the storage of `values` (cleared first): a Hessian's values written where a
/// previous one's were, instead of into fresh memory (see `Tape::recycle`).
fn refill(mut values: Vec<f64>, entries: impl ExactSizeIterator<Item = f64>) -> Vec<f64> {
    values.clear();
    values.extend(entries);
    values
}

/// [`assemble`] from one row-major n × `lanes` block of class products (a single lane
/// batch): row `row` of H·s_c at `block[row · lanes + c]`.
pub(crate) fn assemble_block(
    coloring: Option<&Coloring>,
    n: usize,
    (lanes, block): (usize, &[f64]),
    values: Vec<f64>,
) -> SparseMatrix {
    match coloring {
        Some(c) => {
            c.assembly
                .get_or_init(|| Assembly::new(c, n))
                .fill_block(c, n, (lanes, block), values)
        }
        None => assemble(None, n, |c, row| block[row * lanes + c], values),
    }
}

/// The Hessian from the products H·s_c of its seed classes (`product(c, row)` is row `row`
/// of H·s_c): the coloured pattern's entries, or with no colouring every entry of the n × n
/// matrix (class = column), each the average (H_ij + H_ji) / 2 so the result is exactly
/// symmetric; written into the storage of `values` (any contents, usually a previous
/// Hessian's, or empty).
pub(crate) fn assemble(
    coloring: Option<&Coloring>,
    n: usize,
    product: impl Fn(usize, usize) -> f64,
    values: Vec<f64>,
) -> SparseMatrix {
    if let Some(c) = coloring {
        return c
            .assembly
            .get_or_init(|| Assembly::new(c, n))
            .fill(c, n, product, values);
    }
    let mut col_ptr = Vec::with_capacity(n + 1);
    let mut row_idx = Vec::with_capacity(n * n);
    col_ptr.push(0);
    for _ in 0..n {
        row_idx.extend(0..n);
        col_ptr.push(row_idx.len());
    }
    let entries = (0..n * n).map(|k| {
        let (j, i) = (k / n, k % n);
        0.5 * (product(j, i) + product(i, j))
    });
    let values = refill(values, entries);
    SparseMatrix::from_pattern(n, Arc::new(Csc { col_ptr, row_idx }), values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrowhead_needs_two_colours_and_recovers_by_symmetry() {
        // H = [[n, 1, 1, …], [1, 2, 0, …], …]: the dense first row gets its own colour.
        let n = 40;
        let h = |i: usize, j: usize| match (i, j) {
            (0, 0) => n as f64,
            (0, _) | (_, 0) => 1.0 + j as f64 + i as f64,
            _ if i == j => 2.0,
            _ => 0.0,
        };
        let coloring = SparsityPattern::from_entries(n, (1..n).map(|j| (0, j))).coloring();
        assert_eq!(coloring.num_colors(), 2);
        let products: Vec<Vec<f64>> = (0..2)
            .map(|c| {
                let s = coloring.seed(c);
                (0..n)
                    .map(|i| (0..n).map(|j| h(i, j) * s[j]).sum())
                    .collect()
            })
            .collect();
        let m = coloring.recover(&products);
        for i in 0..n {
            for j in 0..n {
                assert_eq!(m.get(i, j), h(i, j), "({i}, {j})");
            }
        }
        // The same products as one row-major block of a lane batch: the flat offsets cached
        // for 2 lanes, then a block of 4 lanes (a stride the cache does not hold).
        for lanes in [2, 4, 2] {
            let mut block = vec![f64::NAN; n * lanes];
            for (c, p) in products.iter().enumerate() {
                for (i, &v) in p.iter().enumerate() {
                    block[i * lanes + c] = v;
                }
            }
            let m = assemble_block(Some(&coloring.coloring), n, (lanes, &block), Vec::new());
            for i in 0..n {
                for j in 0..n {
                    assert_eq!(m.get(i, j), h(i, j), "{lanes} lanes: ({i}, {j})");
                }
            }
        }
    }
}
