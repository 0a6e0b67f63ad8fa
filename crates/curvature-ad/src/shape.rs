//! Where a node's operands sit relative to it: the reverse sweep's dispatch key.
//!
//! The reverse sweep adds `∂node/∂operand · w` into each operand's adjoint. An operand that
//! is the node just before (i − 1), as most are, takes it in the register carrying that
//! node's adjoint; any other operand takes it in memory; a unary node has no second
//! operand, and most nodes carry no summand (`Node::acc`). Tested per node, these cases
//! cost the sweep a chain of compares and branches. They are fixed once the node's place
//! in the tape is, so the fusion pass, which fixes it for every tape swept more than once,
//! stores one code of the operands' places in each node (`Node::shape`), and the sweep
//! jumps on it straight to a body without tests (`sweep::reverse`). A recording swept once
//! (the closure gradient) keeps [`UNKNOWN`] and the tests: computing the code while
//! recording cost more than the sweep saved (chained Rosenbrock's closure gradient 20.5 ->
//! 23.4 µs at n = 10³, measured).

/// The shape of a node as recorded: its sweep tests where its operands are.
pub(crate) const UNKNOWN: u8 = 0;

/// The bits of `Node::shape` that hold the places code (1 to 18); the three above them
/// hold the node's inner op (`Node::inner`), which the reverse sweep does not read.
pub(crate) const PLACES_MASK: u8 = 0b1_1111;
pub(crate) const INNER_SHIFT: u8 = 5;

/// Where an operand's adjoint goes (the digits of a shape code).
pub(crate) const ABSENT: u8 = 0;
pub(crate) const PREV: u8 = 1;
pub(crate) const MEMORY: u8 = 2;

/// The places `[a, b, u]` of node `i`'s first operand, second operand and summand, given
/// its operands `args` and summand `acc` (a unary op's second operand is the dummy node 0,
/// as is a missing summand, so either is [`ABSENT`]).
#[inline(always)]
pub(crate) fn places_of(args: [u32; 2], acc: u32, i: usize) -> [u8; 3] {
    let prev = (i as u32).wrapping_sub(1);
    let place = |k: u32| {
        if k == 0 {
            ABSENT
        } else if k == prev {
            PREV
        } else {
            MEMORY
        }
    };
    let a = if args[0] == prev { PREV } else { MEMORY };
    [a, place(args[1]), place(acc)]
}

/// The shape code of node `i` with operands `args` and summand `acc`: `a + 2·b + 6·u`, with
/// the places of [`places_of`] as digits (`a` is never absent); so 1 to 18. (Only fused
/// tapes are shaped, and they have no wide nodes.)
pub(crate) fn of(args: [u32; 2], acc: u32, i: usize) -> u8 {
    let [a, b, u] = places_of(args, acc, i);
    a + 2 * b + 6 * u
}

/// The places `[a, b, u]` a shape code 1 to 18 stands for.
pub(crate) const fn places(code: u8) -> [u8; 3] {
    let k = code - 1;
    [1 + k % 2, (k / 2) % 3, k / 6]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        // Node 10: operands 9 (the node before), 4 (memory), 0 (absent).
        assert_eq!(places(of([9, 4], 0, 10)), [PREV, MEMORY, ABSENT]);
        assert_eq!(places(of([3, 0], 9, 10)), [MEMORY, ABSENT, PREV]);
        assert_eq!(places(of([4, 9], 7, 10)), [MEMORY, PREV, MEMORY]);
        let mut seen = [false; 19];
        for a in [9, 4] {
            for b in [0, 9, 4] {
                for u in [0, 9, 4] {
                    let code = of([a, b], u, 10);
                    assert!((1..=18).contains(&code) && !seen[code as usize]);
                    seen[code as usize] = true;
                }
            }
        }
    }
}
