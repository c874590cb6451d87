// SPDX-License-Identifier: GPL-2.0

//! In-place sorting with constant stack use.
//!
//! `core`'s slice sorts (`sort*`, `sort_unstable*`) recurse about
//! 2·log2(n) deep and keep a small-sort scratch buffer on the stack in every
//! frame, sized by the element (about 2 KiB for 40-byte tuples). A few
//! thousand elements then overrun the 16 KiB kernel stack and hit the guard
//! page (found by fuzzing in `kconfig::Index::new` and `Elf::parse_with`).
//! This is a textbook heapsort instead: iterative, no allocation, O(1)
//! stack and O(n log n) comparisons whatever the input. The crate's
//! `clippy.toml` forbids the `core` sorts so they cannot come back.
//!
//! Heapsort is not stable. Callers that need a deterministic order among
//! elements their key does not tell apart make the key total (for example
//! by adding the element's original index).

use core::cmp::Ordering;

/// Sorts `v` in ascending order.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// Sorts `v` by the key `f` extracts (computed again at each comparison).
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut f: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| f(a).cmp(&f(b)));
}

/// Sorts `v` with the comparator `cmp`, which must be a total order.
///
/// An inconsistent comparator leaves `v` in some permutation of its
/// elements; it cannot panic or loop forever.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let len = v.len();
    // Make `v` a max-heap: sift down every node that has children, the
    // deepest first.
    for node in (0..len / 2).rev() {
        sift_down(v, node, &mut cmp);
    }
    // Move the largest element behind the heap, then repair the shrunken
    // heap, until it has one element left.
    for end in (1..len).rev() {
        v.swap(0, end);
        if let Some(heap) = v.get_mut(..end) {
            sift_down(heap, 0, &mut cmp);
        }
    }
}

/// Moves `v[node]` down the max-heap `v` until it is not smaller than its
/// children.
fn sift_down<T>(v: &mut [T], mut node: usize, cmp: &mut impl FnMut(&T, &T) -> Ordering) {
    loop {
        // NO-OVERFLOW: a slice holds at most isize::MAX elements, but stop
        // rather than wrap anyway.
        let Some(left) = node.checked_mul(2).and_then(|x| x.checked_add(1)) else {
            return;
        };
        let Some(l) = v.get(left) else {
            return;
        };
        let right = left.saturating_add(1);
        let child = match v.get(right) {
            Some(r) if cmp(l, r) == Ordering::Less => right,
            _ => left,
        };
        match (v.get(node), v.get(child)) {
            (Some(n), Some(c)) if cmp(n, c) == Ordering::Less => v.swap(node, child),
            _ => return,
        }
        node = child;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_slices() {
        let mut empty: [u32; 0] = [];
        sort(&mut empty);
        let mut one = [7];
        sort(&mut one);
        assert_eq!(one, [7]);
        let mut two = [2, 1];
        sort(&mut two);
        assert_eq!(two, [1, 2]);
        let mut v = [5, 3, 9, 3, 0, 8, 1, 1, 7];
        sort(&mut v);
        assert_eq!(v, [0, 1, 1, 3, 3, 5, 7, 8, 9]);
    }

    #[test]
    fn keys_and_comparators() {
        let mut v = [(3, b'a'), (1, b'b'), (2, b'c')];
        sort_by_key(&mut v, |e| e.0);
        assert_eq!(v, [(1, b'b'), (2, b'c'), (3, b'a')]);
        sort_by(&mut v, |a, b| b.1.cmp(&a.1));
        assert_eq!(v, [(2, b'c'), (1, b'b'), (3, b'a')]);
    }

    #[test]
    fn inconsistent_comparator_permutes() {
        let mut v = [4u8, 1, 3, 2, 0, 4, 4];
        let mut flip = false;
        sort_by(&mut v, |_, _| {
            flip = !flip;
            if flip {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        });
        let mut counts = [0u8; 5];
        for x in v {
            if let Some(c) = counts.get_mut(usize::from(x)) {
                *c = c.saturating_add(1);
            }
        }
        assert_eq!(counts, [1, 1, 1, 1, 3]);
    }
}
