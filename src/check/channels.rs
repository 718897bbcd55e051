//! The channels a contract's parties act by, resolved to ids.
//!
//! A contract (with its libraries) declares its channels (`channel registered_letter counts
//! as letter`); one that declares none has the six channels of terms 0.1
//! ([`Channels::standard`]). "Counts as" is transitive: an act by a channel satisfies a
//! requirement of itself, of the channel it counts as, of that one's, and so on. Each
//! channel counts as at most one other, so the relation is a forest; numbering it in
//! depth-first order makes every satisfaction test two comparisons.

use std::collections::BTreeMap;

/// A channel, by its position in [`Channels`].
pub type ChannelId = usize;

/// The contract's channels, and which satisfies which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channels {
    names: Vec<String>,
    ids: BTreeMap<String, ChannelId>,
    /// Depth-first entry and exit numbers: `a` counts as `b` when `a`'s interval lies in `b`'s.
    enter: Vec<usize>,
    exit: Vec<usize>,
}

/// The channels of terms 0.1, with what each counts as.
const STANDARD: [(&str, Option<&str>); 6] = [
    ("registered_letter", Some("letter")),
    ("letter", Some("written")),
    ("email", Some("written")),
    ("written", None),
    ("platform", None),
    ("phone", None),
];

impl Default for Channels {
    fn default() -> Channels {
        Channels::standard()
    }
}

impl Channels {
    /// The channels of a contract that declares none: `registered_letter`, `letter`,
    /// `email`, `written`, `platform` and `phone`; a registered letter counts as a letter,
    /// and a letter and an email count as written.
    pub fn standard() -> Channels {
        let list: Vec<(String, Option<String>)> = STANDARD
            .iter()
            .map(|(name, parent)| (name.to_string(), parent.map(str::to_string)))
            .collect();
        // The standard relation has no cycle and no unknown name.
        Channels::new(&list).unwrap_or_else(|_| Channels {
            names: Vec::new(),
            ids: BTreeMap::new(),
            enter: Vec::new(),
            exit: Vec::new(),
        })
    }

    /// Channels from their declarations, in order: each name and the name it counts as.
    /// Names are distinct (the caller reports duplicates). Fails with every channel whose
    /// `counts as` names no channel, and one channel of each cycle.
    pub fn new(declared: &[(String, Option<String>)]) -> Result<Channels, Vec<ChannelError>> {
        let mut ids = BTreeMap::new();
        let mut names = Vec::with_capacity(declared.len());
        for (name, _) in declared {
            ids.entry(name.clone()).or_insert(names.len());
            names.push(name.clone());
        }
        let mut errors = Vec::new();
        let mut parent: Vec<Option<ChannelId>> = Vec::with_capacity(declared.len());
        for (index, (_, counts_as)) in declared.iter().enumerate() {
            match counts_as {
                None => parent.push(None),
                Some(p) => match ids.get(p) {
                    Some(&id) => parent.push(Some(id)),
                    None => {
                        errors.push(ChannelError::Unknown(index));
                        parent.push(None);
                    }
                },
            }
        }
        errors.extend(cycles(&parent).into_iter().map(ChannelError::Cycle));
        if !errors.is_empty() {
            return Err(errors);
        }
        // Children lists, then an iterative depth-first walk from every root (with no cycle,
        // every channel is reached).
        let mut children: Vec<Vec<ChannelId>> = vec![Vec::new(); names.len()];
        for (child, p) in parent.iter().enumerate() {
            if let Some(list) = p.and_then(|p| children.get_mut(p)) {
                list.push(child);
            }
        }
        let mut enter = vec![usize::MAX; names.len()];
        let mut exit = vec![usize::MAX; names.len()];
        let mut clock = 0usize;
        for root in (0..names.len()).filter(|&c| parent.get(c).is_some_and(Option::is_none)) {
            let mut stack: Vec<(ChannelId, usize)> = vec![(root, 0)];
            if let Some(e) = enter.get_mut(root) {
                *e = clock;
            }
            clock += 1;
            while let Some((node, next)) = stack.last_mut() {
                let node = *node;
                match children.get(node).and_then(|c| c.get(*next)) {
                    Some(&child) => {
                        *next += 1;
                        if let Some(e) = enter.get_mut(child) {
                            *e = clock;
                        }
                        clock += 1;
                        stack.push((child, 0));
                    }
                    None => {
                        if let Some(x) = exit.get_mut(node) {
                            *x = clock;
                        }
                        clock += 1;
                        stack.pop();
                    }
                }
            }
        }
        Ok(Channels {
            names,
            ids,
            enter,
            exit,
        })
    }

    /// The id of a channel by name.
    pub fn id(&self, name: &str) -> Option<ChannelId> {
        self.ids.get(name).copied()
    }

    /// A channel's name.
    pub fn name(&self, id: ChannelId) -> &str {
        self.names.get(id).map_or("", String::as_str)
    }

    /// Every channel's name, in declaration order.
    pub fn names(&self) -> Vec<&str> {
        self.names.iter().map(String::as_str).collect()
    }

    /// Whether an act by `used` satisfies a requirement of `required`: the same channel, or
    /// one `used` counts as, directly or through others.
    pub fn satisfies(&self, used: ChannelId, required: ChannelId) -> bool {
        match (
            self.enter.get(used),
            self.exit.get(used),
            self.enter.get(required),
            self.exit.get(required),
        ) {
            (Some(ue), Some(ux), Some(re), Some(rx)) => re <= ue && ux <= rx,
            _ => false,
        }
    }
}

/// One channel of each cycle of `counts as` (the first declared of its cycle), in order:
/// each channel is walked once.
fn cycles(parent: &[Option<ChannelId>]) -> Vec<ChannelId> {
    // 0: not seen; w + 1: seen by the walk from channel w.
    let mut seen = vec![0usize; parent.len()];
    let mut out = Vec::new();
    for start in 0..parent.len() {
        if seen.get(start).is_some_and(|&s| s != 0) {
            continue;
        }
        let mark = start + 1;
        let mut node = Some(start);
        while let Some(n) = node {
            match seen.get(n).copied() {
                Some(0) => {
                    if let Some(s) = seen.get_mut(n) {
                        *s = mark;
                    }
                    node = parent.get(n).copied().flatten();
                }
                Some(m) if m == mark => {
                    // A new cycle through n: name its first declared channel.
                    let mut first = n;
                    let mut at = parent.get(n).copied().flatten();
                    while let Some(a) = at.filter(|&a| a != n) {
                        first = first.min(a);
                        at = parent.get(a).copied().flatten();
                    }
                    out.push(first);
                    break;
                }
                _ => break,
            }
        }
    }
    out.sort_unstable();
    out
}

/// Why declared channels do not make a relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelError {
    /// The channel at this index counts as a channel that is not declared.
    Unknown(usize),
    /// The channel at this index counts, through others, as itself.
    Cycle(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_relation_is_that_of_0_1() {
        let c = Channels::standard();
        let id = |n: &str| c.id(n).unwrap_or(usize::MAX);
        let old = |used: &str, required: &str| {
            used == required
                || (required == "written"
                    && matches!(used, "registered_letter" | "letter" | "email"))
                || (required == "letter" && used == "registered_letter")
        };
        for (used, _) in STANDARD {
            for (required, _) in STANDARD {
                assert_eq!(
                    c.satisfies(id(used), id(required)),
                    old(used, required),
                    "{used} for {required}"
                );
            }
        }
    }

    #[test]
    fn unknown_parents_and_cycles_are_refused() {
        let decl = |list: &[(&str, Option<&str>)]| {
            list.iter()
                .map(|(n, p)| (n.to_string(), p.map(str::to_string)))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            Channels::new(&decl(&[("a", Some("b"))])),
            Err(vec![ChannelError::Unknown(0)])
        );
        assert_eq!(
            Channels::new(&decl(&[("x", None), ("a", Some("b")), ("b", Some("a"))])),
            Err(vec![ChannelError::Cycle(1)])
        );
    }
}
