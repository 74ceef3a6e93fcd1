//! Circles in a directed graph: its strongly connected components of more
//! than one node (Tarjan's algorithm, iterative so that no input overflows
//! the stack).

use std::collections::{BTreeMap, BTreeSet};

/// The groups of nodes that reach each other, each sorted, largest first.
pub fn circles<N: Ord + Clone>(edges: &BTreeMap<N, BTreeSet<N>>) -> Vec<Vec<N>> {
    let mut nodes: BTreeSet<&N> = edges.keys().collect();
    nodes.extend(edges.values().flatten());
    let nodes: Vec<&N> = nodes.into_iter().collect();
    let index_of: BTreeMap<&N, usize> = nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let next: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            edges
                .get(*n)
                .into_iter()
                .flatten()
                .map(|m| index_of[m])
                .collect()
        })
        .collect();

    let count = nodes.len();
    let (mut index, mut low) = (vec![usize::MAX; count], vec![0; count]);
    let mut on_stack = vec![false; count];
    let (mut stack, mut found) = (Vec::new(), Vec::new());
    let mut counter = 0;
    for start in 0..count {
        if index[start] != usize::MAX {
            continue;
        }
        // (node, position in its successor list)
        let mut work = vec![(start, 0)];
        index[start] = counter;
        low[start] = counter;
        counter += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&mut (v, ref mut pos)) = work.last_mut() {
            if let Some(&w) = next[v].get(*pos) {
                *pos += 1;
                if index[w] == usize::MAX {
                    index[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut group = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    group.push(nodes[w].clone());
                    if w == v {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort();
                    found.push(group);
                }
            }
        }
    }
    found.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(pairs: &[(u32, u32)]) -> BTreeMap<u32, BTreeSet<u32>> {
        let mut g: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
        for (a, b) in pairs {
            g.entry(*a).or_default().insert(*b);
        }
        g
    }

    #[test]
    fn finds_each_circle_and_nothing_in_a_tree() {
        assert!(circles(&graph(&[(1, 2), (1, 3), (2, 3)])).is_empty());
        let found = circles(&graph(&[(1, 2), (2, 1), (3, 4), (4, 5), (5, 3), (5, 6)]));
        assert_eq!(found, vec![vec![3, 4, 5], vec![1, 2]]);
    }
}
